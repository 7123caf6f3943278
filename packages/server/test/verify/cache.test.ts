import { describe, expect, it } from 'vitest';
import type { TokenLookup, TokenLookupRow } from '../../src/store/queries/verify-lookup.js';
import { createCachedLookup } from '../../src/verify/cache.js';
import { createLocalBus } from '../../src/verify/invalidation.js';

const row = (over: Partial<TokenLookupRow>): TokenLookupRow => ({
  tokenId: 'tok_1',
  orgId: 'org_1',
  orgSlug: 'o',
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
  ownerServiceAccountId: 'sa_1',
  ownerUserId: null,
  ownerName: 'n',
  ownerInactive: false,
  roleId: 'rol_1',
  rolePermissions: [],
  ...over,
});

function backing(table: Map<string, TokenLookupRow>) {
  let calls = 0;
  let gate: Promise<void> | null = null;
  const lookup: TokenLookup = {
    async byHash(h) {
      calls += 1;
      const snapshot = table.get(h) ?? null;
      if (gate) await gate;
      return snapshot;
    },
    hasImported: () => Promise.resolve(false),
  };
  return {
    lookup,
    calls: () => calls,
    hold: (p: Promise<void> | null): void => {
      gate = p;
    },
  };
}

describe('verification cache', () => {
  it('serves repeats from memory and remembers unknown hashes', async () => {
    const table = new Map([['h1', row({})]]);
    const b = backing(table);
    const c = createCachedLookup(b.lookup, createLocalBus());
    await c.byHash('h1');
    await c.byHash('h1');
    await c.byHash('nope');
    await c.byHash('nope');
    expect(b.calls()).toBe(2);
    expect(c.stats()).toMatchObject({ hits: 1, negativeHits: 1, misses: 2, lookups: 2 });
  });

  it.each([
    ['token', { kind: 'token', tokenId: 'tok_1', hash: 'h1' }],
    ['service account', { kind: 'service_account', serviceAccountId: 'sa_1' }],
    ['role', { kind: 'role', roleId: 'rol_1' }],
    ['org', { kind: 'org', orgId: 'org_1' }],
    ['everything', { kind: 'all' }],
  ] as const)('drops entries when their %s changes', async (_l, event) => {
    const table = new Map([
      ['h1', row({})],
      ['h2', row({ tokenId: 'tok_2', ownerServiceAccountId: 'sa_2', roleId: 'rol_2', orgId: 'org_2' })],
    ]);
    const b = backing(table);
    const bus = createLocalBus();
    const c = createCachedLookup(b.lookup, bus);
    await c.byHash('h1');
    await c.byHash('h2');
    table.set('h1', row({ revokedAt: 'now' }));
    bus.publish([event]);
    expect((await c.byHash('h1'))?.revokedAt).toBe('now');
    await c.byHash('h2');
    expect(b.calls()).toBe(event.kind === 'all' ? 4 : 3);
  });

  it('drops a user-owned entry when that membership changes', async () => {
    const table = new Map([['h1', row({ ownerServiceAccountId: null, ownerUserId: 'usr_1' })]]);
    const b = backing(table);
    const bus = createLocalBus();
    const c = createCachedLookup(b.lookup, bus);
    await c.byHash('h1');
    bus.publish([{ kind: 'member', orgId: 'org_1', userId: 'usr_1' }]);
    await c.byHash('h1');
    expect(b.calls()).toBe(2);
  });

  it('a newly imported hash is no longer negatively cached', async () => {
    const table = new Map<string, TokenLookupRow>();
    const bus = createLocalBus();
    const c = createCachedLookup(backing(table).lookup, bus);
    expect(await c.byHash('h9')).toBeNull();
    table.set('h9', row({}));
    bus.publish([{ kind: 'token', tokenId: 'tok_9', hash: 'h9', imported: true }]);
    expect(await c.byHash('h9')).not.toBeNull();
  });

  it('never caches a lookup that raced an invalidation', async () => {
    const table = new Map([['h1', row({})]]);
    const b = backing(table);
    const bus = createLocalBus();
    const c = createCachedLookup(b.lookup, bus);
    let release!: () => void;
    b.hold(new Promise<void>((r) => (release = r)));
    const inFlight = c.byHash('h1'); // reads the old row, then waits
    table.set('h1', row({ revokedAt: 'now' }));
    bus.publish([{ kind: 'token', tokenId: 'tok_1', hash: 'h1' }]);
    release();
    expect((await inFlight)?.revokedAt).toBeNull();
    b.hold(null);
    expect((await c.byHash('h1'))?.revokedAt).toBe('now');
  });

  it('coalesces concurrent misses for one hash into one lookup', async () => {
    const table = new Map([['h1', row({})]]);
    const b = backing(table);
    const c = createCachedLookup(b.lookup, createLocalBus());
    await Promise.all(Array.from({ length: 50 }, () => c.byHash('h1')));
    expect(b.calls()).toBe(1);
  });

  it('stays within its bounds under a flood of unknown hashes', async () => {
    const b = backing(new Map());
    const c = createCachedLookup(b.lookup, createLocalBus(), { negativeMaxEntries: 1000 });
    for (let i = 0; i < 5000; i++) await c.byHash(`junk-${i}`);
    expect(c.stats().negativeSize).toBe(1000);
  });
});
