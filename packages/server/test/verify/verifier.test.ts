import { describe, expect, it } from 'vitest';
import { buildCatalog } from '../../src/domain/permissions.js';
import { generateToken, hashToken } from '../../src/domain/token-format.js';
import type { TokenLookup, TokenLookupRow } from '../../src/store/queries/verify-lookup.js';
import { createCachedLookup } from '../../src/verify/cache.js';
import { createLocalBus } from '../../src/verify/invalidation.js';
import { createVerifier } from '../../src/verify/verifier.js';

const catalog = buildCatalog(['assets', 'orders'], ['assets:view']);
const NOW = Date.parse('2026-06-01T00:00:00Z');

function row(over: Partial<TokenLookupRow> = {}): TokenLookupRow {
  return {
    tokenId: 'tok_x',
    orgId: 'org_x',
    orgSlug: 'acme',
    type: 'private',
    domains: [],
    allowedIps: [],
    enforcement: 'enforce',
    rateLimits: [],
    quota: null,
    permissions: null,
    expiresAt: null,
    revokedAt: null,
    suspendedAt: null,
    secret: { kind: 'current', pending: null, retiresOnFirstUse: false },
    ownerServiceAccountId: 'sa_x',
    ownerUserId: null,
    ownerName: 'bot',
    ownerInactive: false,
    roleId: 'rol_x',
    rolePermissions: ['assets:edit'],
    ...over,
  };
}

/** A lookup over a fixed table that counts how often it was asked. */
function lookupOf(entries: Record<string, TokenLookupRow>, imported = false) {
  const calls: string[] = [];
  const lookup: TokenLookup = {
    byHash: (h) => {
      calls.push(h);
      return Promise.resolve(entries[h] ?? null);
    },
    hasImported: () => Promise.resolve(imported),
  };
  return { lookup, calls };
}

function setup(r: Partial<TokenLookupRow> = {}, opts: { foreign?: boolean } = {}) {
  const type = r.type ?? 'private';
  const value = generateToken(type);
  const { lookup, calls } = lookupOf({ [hashToken(value)]: row({ type, ...r }) });
  const verifier = createVerifier({
    lookup,
    catalog,
    tokenPrefix: '',
    now: () => NOW,
    foreignLookups: () => opts.foreign ?? false,
  });
  return { value, verifier, calls };
}

describe('verifier codes', () => {
  it('valid: returns the identity and effective permissions', async () => {
    const { value, verifier } = setup();
    const r = await verifier.verify({ token: value, origin: null });
    expect(r).toMatchObject({
      valid: true,
      code: 'valid',
      org: { id: 'org_x', slug: 'acme' },
      tokenId: 'tok_x',
      owner: { type: 'service_account', id: 'sa_x' },
      type: 'private',
      permissions: ['assets:edit', 'assets:view'],
    });
  });

  it('token_missing for undefined or empty', async () => {
    const { verifier, calls } = setup();
    expect((await verifier.verify({ token: undefined, origin: null })).code).toBe('token_missing');
    expect((await verifier.verify({ token: '', origin: null })).code).toBe('token_missing');
    expect(calls).toEqual([]);
  });

  it('token_invalid without a lookup for a bad checksum, bad shape or oversized value', async () => {
    const { value, verifier, calls } = setup();
    const flipped = value.slice(0, -1) + (value.endsWith('A') ? 'B' : 'A');
    for (const bad of [flipped, 'lk_prv_short', 'x'.repeat(10_000), 'naïve-value', 'has spaces in it']) {
      expect((await verifier.verify({ token: bad, origin: null })).code).toBe('token_invalid');
    }
    expect(calls).toEqual([]);
  });

  it('with a cache in front: a cached token is answered, a bad checksum is neither looked up nor remembered', async () => {
    const value = generateToken('private');
    const { lookup, calls } = lookupOf({ [hashToken(value)]: row() });
    const cached = createCachedLookup(lookup, createLocalBus());
    const verifier = createVerifier({
      lookup: cached,
      catalog,
      tokenPrefix: '',
      now: () => NOW,
      foreignLookups: () => false,
    });
    expect((await verifier.verify({ token: value, origin: null })).code).toBe('valid');
    expect((await verifier.verify({ token: value, origin: null })).code).toBe('valid'); // from the cache
    const flipped = value.slice(0, -1) + (value.endsWith('A') ? 'B' : 'A');
    for (let i = 0; i < 3; i++)
      expect((await verifier.verify({ token: flipped, origin: null })).code).toBe('token_invalid');
    expect(calls).toEqual([hashToken(value)]);
    expect(cached.stats()).toMatchObject({ hits: 1, negativeHits: 0, lookups: 1, negativeSize: 0 });
  });

  it('token_invalid for a well-formed value nobody issued', async () => {
    const { verifier, calls } = setup();
    expect((await verifier.verify({ token: generateToken('private'), origin: null })).code).toBe(
      'token_invalid',
    );
    expect(calls).toHaveLength(1);
  });

  it('foreign (legacy-shaped) values are looked up only when legacy imports exist', async () => {
    const legacy = 'b7c1d0e2-legacy-value';
    const { lookup, calls } = lookupOf({
      [hashToken(legacy)]: row({ ownerServiceAccountId: null, ownerUserId: 'usr_x' }),
    });
    const closed = createVerifier({
      lookup,
      catalog,
      tokenPrefix: '',
      now: () => NOW,
      foreignLookups: () => false,
    });
    expect((await closed.verify({ token: legacy, origin: null })).code).toBe('token_invalid');
    expect(calls).toEqual([]);
    const open = createVerifier({
      lookup,
      catalog,
      tokenPrefix: '',
      now: () => NOW,
      foreignLookups: () => true,
    });
    expect(await open.verify({ token: legacy, origin: null })).toMatchObject({
      valid: true,
      owner: { type: 'user', id: 'usr_x' },
    });
  });

  it('token_invalid when the value claims the other type than the stored one', async () => {
    const value = generateToken('public');
    const { lookup } = lookupOf({ [hashToken(value)]: row({ type: 'private' }) });
    const v = createVerifier({ lookup, catalog, tokenPrefix: '', now: () => NOW });
    expect((await v.verify({ token: value, origin: null })).code).toBe('token_invalid');
  });

  it('token_revoked, token_expired, owner_disabled', async () => {
    expect(
      (
        await setup({ revokedAt: '2026-01-01T00:00:00.000Z' }).verifier.verify({
          token: setup().value,
          origin: null,
        })
      ).code,
    ).toBe('token_invalid');
    const revoked = setup({ revokedAt: '2026-01-01T00:00:00.000Z' });
    expect((await revoked.verifier.verify({ token: revoked.value, origin: null })).code).toBe(
      'token_revoked',
    );
    const expired = setup({ expiresAt: new Date(NOW).toISOString() });
    expect((await expired.verifier.verify({ token: expired.value, origin: null })).code).toBe(
      'token_expired',
    );
    const notYet = setup({ expiresAt: new Date(NOW + 1).toISOString() });
    expect((await notYet.verifier.verify({ token: notYet.value, origin: null })).code).toBe('valid');
    const disabled = setup({ ownerInactive: true });
    expect((await disabled.verifier.verify({ token: disabled.value, origin: null })).code).toBe(
      'owner_disabled',
    );
  });

  it('origin_required and origin_not_allowed for public tokens; private tokens ignore origin', async () => {
    const pub = setup({ type: 'public', domains: ['https://a.example.com'] });
    expect((await pub.verifier.verify({ token: pub.value, origin: null })).code).toBe('origin_required');
    expect((await pub.verifier.verify({ token: pub.value, origin: 'https://b.example.com' })).code).toBe(
      'origin_not_allowed',
    );
    expect((await pub.verifier.verify({ token: pub.value, origin: 'https://a.example.com' })).code).toBe(
      'valid',
    );
    const prv = setup({ domains: [] });
    expect((await prv.verifier.verify({ token: prv.value, origin: 'https://b.example.com' })).code).toBe(
      'valid',
    );
  });

  it('permission_denied when the effective permissions lack the requirement', async () => {
    const { value, verifier } = setup({ rolePermissions: ['assets:view'] });
    expect((await verifier.verify({ token: value, origin: null, permission: 'assets:view' })).code).toBe(
      'valid',
    );
    expect((await verifier.verify({ token: value, origin: null, permission: 'assets:edit' })).code).toBe(
      'permission_denied',
    );
    const pub = setup({
      type: 'public',
      domains: ['https://a.example.com'],
      rolePermissions: ['assets:edit', 'orders:edit'],
    });
    expect(
      (
        await pub.verifier.verify({
          token: pub.value,
          origin: 'https://a.example.com',
          permission: 'orders:view',
        })
      ).code,
    ).toBe('permission_denied');
  });
});

describe('order of checks: format → lookup → state → origin → permission', () => {
  it('state beats origin and permission', async () => {
    const t = setup({
      type: 'public',
      domains: ['https://a.example.com'],
      revokedAt: '2026-01-01T00:00:00.000Z',
      rolePermissions: [],
    });
    expect(
      (await t.verifier.verify({ token: t.value, origin: 'https://evil.example', permission: 'orders:edit' }))
        .code,
    ).toBe('token_revoked');
  });
  it('revoked beats expired beats owner_disabled', async () => {
    const all = setup({
      revokedAt: '2026-01-01T00:00:00.000Z',
      expiresAt: '2026-01-01T00:00:00.000Z',
      ownerInactive: true,
    });
    expect((await all.verifier.verify({ token: all.value, origin: null })).code).toBe('token_revoked');
    const two = setup({ expiresAt: '2026-01-01T00:00:00.000Z', ownerInactive: true });
    expect((await two.verifier.verify({ token: two.value, origin: null })).code).toBe('token_expired');
  });
  it('origin beats permission', async () => {
    const t = setup({ type: 'public', domains: ['https://a.example.com'], rolePermissions: [] });
    expect((await t.verifier.verify({ token: t.value, origin: null, permission: 'orders:edit' })).code).toBe(
      'origin_required',
    );
    expect(
      (
        await t.verifier.verify({
          token: t.value,
          origin: 'https://b.example.com',
          permission: 'orders:edit',
        })
      ).code,
    ).toBe('origin_not_allowed');
  });
  it('format beats everything (no lookup at all)', async () => {
    const t = setup({ revokedAt: '2026-01-01T00:00:00.000Z' });
    expect((await t.verifier.verify({ token: `${t.value}x`, origin: null })).code).toBe('token_invalid');
    expect(t.calls).toEqual([]);
  });
});

describe('failures are exceptions, denials are values', () => {
  it('a lookup failure throws', async () => {
    const lookup: TokenLookup = {
      byHash: () => Promise.reject(new Error('database down')),
      hasImported: () => Promise.resolve(false),
    };
    const v = createVerifier({ lookup, catalog, tokenPrefix: '' });
    await expect(v.verify({ token: generateToken('private'), origin: null })).rejects.toThrow(
      'database down',
    );
  });
});

describe('rotated tokens (docs/lifecycle.md)', () => {
  const current = generateToken('private');
  const previous = generateToken('private');
  const rows = (over: { retiresAt?: string | null; retired?: boolean; firstUse?: boolean } = {}) => ({
    [hashToken(current)]: row({
      secret: { kind: 'current', pending: hashToken(previous), retiresOnFirstUse: over.firstUse ?? false },
    }),
    [hashToken(previous)]: row({
      secret: {
        kind: 'previous',
        retiresAt: over.retiresAt === undefined ? '2026-06-02T00:00:00Z' : over.retiresAt,
        retired: over.retired ?? false,
      },
    }),
  });

  it('both values verify during the overlap, each saying which it is', async () => {
    const { lookup } = lookupOf(rows());
    const v = createVerifier({ lookup, catalog, tokenPrefix: '', now: () => NOW });
    expect(await v.verify({ token: current, origin: null })).toMatchObject({
      valid: true,
      secret: 'current',
    });
    expect(await v.verify({ token: previous, origin: null })).toMatchObject({
      valid: true,
      secret: 'previous',
      tokenId: 'tok_x',
    });
  });

  it('the old value is token_rotated once retired or past its time; revoked and suspended say so first', async () => {
    for (const [over, code] of [
      [{ retired: true }, 'token_rotated'],
      [{ retiresAt: '2026-06-01T00:00:00Z' }, 'token_rotated'], // exactly now
      [{ retiresAt: '2026-06-01T00:00:01Z' }, 'valid'],
    ] as const) {
      const { lookup } = lookupOf(rows(over));
      const v = createVerifier({ lookup, catalog, tokenPrefix: '', now: () => NOW });
      expect((await v.verify({ token: previous, origin: null })).code, JSON.stringify(over)).toBe(code);
    }
    const revoked = lookupOf({
      [hashToken(previous)]: row({
        revokedAt: '2026-05-01T00:00:00Z',
        secret: { kind: 'previous', retiresAt: null, retired: true },
      }),
    });
    const v1 = createVerifier({ lookup: revoked.lookup, catalog, tokenPrefix: '', now: () => NOW });
    expect((await v1.verify({ token: previous, origin: null })).code).toBe('token_revoked');
    const suspended = lookupOf({ [hashToken(current)]: row({ suspendedAt: '2026-05-01T00:00:00Z' }) });
    const v2 = createVerifier({ lookup: suspended.lookup, catalog, tokenPrefix: '', now: () => NOW });
    expect((await v2.verify({ token: current, origin: null })).code).toBe('token_suspended');
  });

  it('retire=on_first_use: the first successful use of the new value is reported once; refusals and the old value report nothing', async () => {
    const { lookup } = lookupOf(rows({ firstUse: true }));
    const reported: [string, string][] = [];
    const v = createVerifier({
      lookup,
      catalog,
      tokenPrefix: '',
      now: () => NOW,
      onFirstUse: (id, hash) => reported.push([id, hash]),
    });
    await v.verify({ token: previous, origin: null });
    expect((await v.verify({ token: current, origin: null, permission: 'orders:edit' })).code).toBe(
      'permission_denied',
    );
    expect(reported).toEqual([]);
    for (let i = 0; i < 5; i++) await v.verify({ token: current, origin: null });
    expect(reported).toEqual([['tok_x', hashToken(previous)]]);
  });

  it('costs one more cache entry, not one more lookup per request', async () => {
    const { lookup, calls } = lookupOf(rows());
    const cached = createCachedLookup(lookup, createLocalBus());
    const v = createVerifier({ lookup: cached, catalog, tokenPrefix: '', now: () => NOW });
    for (let i = 0; i < 100; i++) {
      expect((await v.verify({ token: current, origin: null })).code).toBe('valid');
      expect((await v.verify({ token: previous, origin: null })).code).toBe('valid');
    }
    expect(calls).toHaveLength(2);
  });

  it('a change to the token drops both of its values from the cache', async () => {
    const table = rows();
    const { lookup, calls } = lookupOf(table);
    const bus = createLocalBus();
    const cached = createCachedLookup(lookup, bus);
    const v = createVerifier({ lookup: cached, catalog, tokenPrefix: '', now: () => NOW });
    await v.verify({ token: current, origin: null });
    await v.verify({ token: previous, origin: null });
    // The event names only the current hash (a suspension, say): the previous value must not stay valid.
    table[hashToken(previous)] = row({
      suspendedAt: '2026-06-01T00:00:00Z',
      secret: { kind: 'previous', retiresAt: null, retired: false },
    });
    bus.publish([{ kind: 'token', tokenId: 'tok_x', hash: hashToken(current) }]);
    await new Promise((r) => setImmediate(r));
    expect((await v.verify({ token: previous, origin: null })).code).toBe('token_suspended');
    expect(calls).toHaveLength(3);
  });
});

describe('IP allowlists and report-only (issue 15)', () => {
  const ranges = ['203.0.113.0/24', '2001:db8::/32'];

  it('ip_not_allowed for an address outside the ranges, or none; IPv4-mapped IPv6 is its IPv4 address', async () => {
    const { value, verifier } = setup({ allowedIps: ranges });
    const code = async (ip?: string | null) =>
      (await verifier.verify({ token: value, origin: null, ...(ip !== undefined ? { ip } : {}) })).code;
    expect(await code('203.0.113.9')).toBe('valid');
    expect(await code('::ffff:203.0.113.9')).toBe('valid');
    expect(await code('2001:db8:5::1')).toBe('valid');
    expect(await code('198.51.100.1')).toBe('ip_not_allowed');
    expect(await code('::ffff:198.51.100.1')).toBe('ip_not_allowed');
    expect(await code('2001:db9::1')).toBe('ip_not_allowed');
    expect(await code(null)).toBe('ip_not_allowed');
    expect(await code()).toBe('ip_not_allowed');
    expect(await code('not-an-address')).toBe('ip_not_allowed');
  });

  it('a token without an allowlist ignores the address', async () => {
    const { value, verifier } = setup();
    const r = await verifier.verify({ token: value, origin: null, ip: '198.51.100.1' });
    expect(r.code).toBe('valid');
    expect(r).not.toHaveProperty('warnings');
  });

  it('comes after the token state and the origin, before the permission', async () => {
    const revoked = setup({ allowedIps: ranges, revokedAt: '2026-01-01T00:00:00.000Z' });
    expect(
      (await revoked.verifier.verify({ token: revoked.value, origin: null, ip: '198.51.100.1' })).code,
    ).toBe('token_revoked');
    const pub = setup({ type: 'public', domains: ['https://shop.example.com'], allowedIps: ranges });
    expect(
      (await pub.verifier.verify({ token: pub.value, origin: 'https://evil.example', ip: '198.51.100.1' }))
        .code,
    ).toBe('origin_not_allowed');
    const { value, verifier } = setup({ allowedIps: ranges });
    expect(
      (await verifier.verify({ token: value, origin: null, ip: '198.51.100.1', permission: 'orders:edit' }))
        .code,
    ).toBe('ip_not_allowed');
    expect(
      (await verifier.verify({ token: value, origin: null, ip: '203.0.113.1', permission: 'orders:edit' }))
        .code,
    ).toBe('permission_denied');
  });

  it('report-only: allowed with warnings for an unlisted origin, a missing origin and an unlisted address', async () => {
    const pub = setup({
      type: 'public',
      domains: ['https://shop.example.com'],
      allowedIps: ranges,
      enforcement: 'report_only',
    });
    const r = await pub.verifier.verify({
      token: pub.value,
      origin: 'https://old-shop.example',
      ip: '198.51.100.1',
    });
    expect(r).toMatchObject({
      valid: true,
      code: 'valid',
      origin: 'https://old-shop.example',
      warnings: ['origin_not_allowed', 'ip_not_allowed'],
    });
    expect(await pub.verifier.verify({ token: pub.value, origin: null, ip: '203.0.113.1' })).toMatchObject({
      valid: true,
      warnings: ['origin_required'],
    });
    const clean = await pub.verifier.verify({
      token: pub.value,
      origin: 'https://shop.example.com',
      ip: '203.0.113.1',
    });
    expect(clean.code).toBe('valid');
    expect(clean).not.toHaveProperty('warnings');
    // Everything else is still enforced: state and permission.
    expect(
      (
        await pub.verifier.verify({
          token: pub.value,
          origin: 'https://x.example',
          ip: '1.1.1.1',
          permission: 'orders:edit',
        })
      ).code,
    ).toBe('permission_denied');
    const priv = setup({
      allowedIps: ranges,
      enforcement: 'report_only',
      suspendedAt: '2026-01-01T00:00:00.000Z',
    });
    expect((await priv.verifier.verify({ token: priv.value, origin: null, ip: '1.1.1.1' })).code).toBe(
      'token_suspended',
    );
  });
});
