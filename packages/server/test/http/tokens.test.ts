import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addMember,
  call,
  createOrg,
  createServiceAccount,
  createToken,
  errorCode,
  login,
  roleId,
  startInstance,
  testClock,
  verify,
  type Org,
  type TestInstance,
} from '../helpers/harness.js';

const clock = testClock();
let lk: TestInstance;
let org: Org;
let sa: { id: string; name: string };
beforeAll(async () => {
  lk = await startInstance({}, { clock });
  org = await createOrg(lk);
  sa = await createServiceAccount(lk, org, 'storefront', { roleId: await roleId(lk, org, 'Admin') });
});
afterAll(() => lk.close());

const tokens = (o: Org, rest = '') => `/api/v1/orgs/${o.slug}/tokens${rest}`;
const countTokens = async () =>
  (await call(lk, org.admin, 'GET', tokens(org, '?status=all&limit=200'))).json().items.length as number;

describe('rule 5: every new token belongs to a service account', () => {
  it.each(['public', 'private'] as const)(
    'a %s token without one is refused and nothing is written',
    async (type) => {
      const before = await countTokens();
      const res = await call(lk, org.admin, 'POST', tokens(org), {
        name: 'orphan',
        type,
        domains: type === 'public' ? ['https://a.example.com'] : undefined,
      });
      expect(res.statusCode, res.body).toBe(400);
      expect(errorCode(res)).toBe('service_account_required');
      expect(res.json().error.message).toMatch(/a token must belong to a service account/i);
      expect(await countTokens()).toBe(before);
    },
  );

  it('a user id in place of a service account is refused', async () => {
    const res = await call(lk, org.admin, 'POST', tokens(org), {
      name: 'to-user',
      type: 'private',
      serviceAccountId: org.ownerId,
    });
    expect(errorCode(res)).toBe('service_account_required');
  });

  it('a service account of another org is 404', async () => {
    const other = await createOrg(lk);
    const theirs = await createServiceAccount(lk, other, 'theirs');
    const res = await call(lk, org.admin, 'POST', tokens(org), {
      name: 'x',
      type: 'private',
      serviceAccountId: theirs.id,
    });
    expect(res.statusCode).toBe(404);
  });
});

describe('rules 6–10: private tokens anywhere, public tokens only from their origins', () => {
  it('a private token authenticates with any origin or none', async () => {
    const { token } = await createToken(lk, org, { serviceAccountId: sa.id });
    expect((await verify(lk, { token })).code).toBe('valid');
    expect((await verify(lk, { token, origin: 'https://anything.example' })).code).toBe('valid');
  });

  it('a public token authenticates only from an allowlisted origin, exactly', async () => {
    const { token } = await createToken(lk, org, {
      serviceAccountId: sa.id,
      type: 'public',
      domains: ['https://subdomain1.yourwebpage.com/', 'subdomain2.yourwebpage.com'],
    });
    expect((await verify(lk, { token, origin: 'https://subdomain1.yourwebpage.com' })).code).toBe('valid');
    expect((await verify(lk, { token, origin: 'https://subdomain2.yourwebpage.com' })).code).toBe('valid');
    for (const origin of [
      'https://yourwebpage.com',
      'http://subdomain1.yourwebpage.com',
      'https://subdomain1.yourwebpage.com:8443',
      'https://subdomain1.yourwebpage.com.evil.net',
    ]) {
      expect((await verify(lk, { token, origin })).code, origin).toBe('origin_not_allowed');
    }
    expect((await verify(lk, { token })).code).toBe('origin_required');
    expect((await verify(lk, { token, origin: 'null' })).code).toBe('origin_required');
  });

  it('rule 7: a public token cannot be created or left with an empty allowlist', async () => {
    const none = await call(lk, org.admin, 'POST', tokens(org), {
      name: 'p',
      type: 'public',
      serviceAccountId: sa.id,
    });
    expect(errorCode(none)).toBe('domains_required');
    const empty = await call(lk, org.admin, 'POST', tokens(org), {
      name: 'p',
      type: 'public',
      serviceAccountId: sa.id,
      domains: [],
    });
    expect(errorCode(empty)).toBe('domains_required');
    const { item } = await createToken(lk, org, {
      serviceAccountId: sa.id,
      type: 'public',
      domains: ['https://keep.example.com'],
    });
    const cleared = await call(lk, org.admin, 'PATCH', tokens(org, `/${item.id}`), { domains: [] });
    expect(errorCode(cleared)).toBe('domains_required');
    expect((await call(lk, org.admin, 'GET', tokens(org, `/${item.id}`))).json().domains).toEqual([
      'https://keep.example.com',
    ]);
  });

  it('rule 8: wildcards are refused with the explanation, entries are stored normalised', async () => {
    const res = await call(lk, org.admin, 'POST', tokens(org), {
      name: 'w',
      type: 'public',
      serviceAccountId: sa.id,
      domains: ['https://*.yourwebpage.com/'],
    });
    expect(res.statusCode).toBe(400);
    expect(errorCode(res)).toBe('wildcard_domain');
    expect(res.json().error.message).toMatch(/every subdomain/);
    const bad = await call(lk, org.admin, 'POST', tokens(org), {
      name: 'w',
      type: 'public',
      serviceAccountId: sa.id,
      domains: ['ftp://x.com'],
    });
    expect(errorCode(bad)).toBe('invalid_domain');
    const { item } = await createToken(lk, org, {
      serviceAccountId: sa.id,
      type: 'public',
      domains: ['HTTPS://Shop.Example.com:443/cart', 'bücher.example'],
    });
    expect((await call(lk, org.admin, 'GET', tokens(org, `/${item.id}`))).json().domains).toEqual([
      'https://shop.example.com',
      'https://xn--bcher-kva.example',
    ]);
  });

  it('private tokens take no domains', async () => {
    const res = await call(lk, org.admin, 'POST', tokens(org), {
      name: 'p',
      type: 'private',
      serviceAccountId: sa.id,
      domains: ['https://a.com'],
    });
    expect(errorCode(res)).toBe('validation_failed');
  });
});

describe('rule 11: values shown once; private stored only as a hash', () => {
  it('the create answer has the value; later reads never show a private value', async () => {
    const { token, item } = await createToken(lk, org, { serviceAccountId: sa.id });
    expect(token).toMatch(/^lk_prv_/);
    const got = await call(lk, org.admin, 'GET', tokens(org, `/${item.id}`));
    expect(got.body).not.toContain(token);
    expect(got.json().value).toBeNull();
    expect(got.json().hint).toBe(`lk_prv_${token.slice(7, 11)}…${token.slice(-4)}`);
    const list = await call(lk, org.admin, 'GET', tokens(org, '?limit=200'));
    expect(list.body).not.toContain(token);
  });

  it('public values can be viewed again by those who may edit tokens, not by viewers', async () => {
    const { token, item } = await createToken(lk, org, {
      serviceAccountId: sa.id,
      type: 'public',
      domains: ['https://pub.example.com'],
    });
    expect((await call(lk, org.admin, 'GET', tokens(org, `/${item.id}`))).json().value).toBe(token);
    const viewer = await addMember(lk, org, `viewer-${Date.now()}@x.test`, 'Viewer');
    const asViewer = await call(lk, viewer.caller, 'GET', tokens(org, `/${item.id}`));
    expect(asViewer.statusCode).toBe(200);
    expect(asViewer.json().value).toBeNull();
  });
});

describe('rule 12: effective permissions', () => {
  it('a token is narrowed to its own list and never exceeds its owner', async () => {
    const viewerSa = await createServiceAccount(lk, org, 'viewer-sa');
    const { token, item } = await createToken(lk, org, {
      serviceAccountId: viewerSa.id,
      permissions: ['assets:view'],
    });
    expect(item).toMatchObject({ effectivePermissions: ['assets:view'] });
    expect((await verify(lk, { token, permission: 'assets:view' })).code).toBe('valid');
    expect((await verify(lk, { token, permission: 'orders:view' })).code).toBe('permission_denied');
    // Widening the token's own list past the owner's Viewer role grants nothing more.
    await call(lk, org.admin, 'PATCH', tokens(org, `/${item.id}`), { permissions: ['assets:edit'] });
    expect((await verify(lk, { token, permission: 'assets:edit' })).code).toBe('permission_denied');
  });

  it('public tokens carry only public-safe permissions', async () => {
    const { token, item } = await createToken(lk, org, {
      serviceAccountId: sa.id,
      type: 'public',
      domains: ['https://p.example.com'],
    });
    expect([...item.effectivePermissions].sort()).toEqual([
      'assets:view',
      'configurations:view',
      'renders:view',
    ]);
    expect(
      (await verify(lk, { token, origin: 'https://p.example.com', permission: 'orders:view' })).code,
    ).toBe('permission_denied');
    expect(
      (await verify(lk, { token, origin: 'https://p.example.com', permission: 'assets:view' })).code,
    ).toBe('valid');
  });

  it('changing a custom role changes its tokens at once', async () => {
    const role = await call(lk, org.admin, 'POST', `/api/v1/orgs/${org.slug}/roles`, {
      name: 'Shop reader',
      permissions: ['orders:view'],
    });
    expect(role.statusCode, role.body).toBe(201);
    const rsa = await createServiceAccount(lk, org, 'shop-reader', { roleId: role.json().id });
    const { token } = await createToken(lk, org, { serviceAccountId: rsa.id });
    expect((await verify(lk, { token, permission: 'customers:view' })).code).toBe('permission_denied');
    await call(lk, org.admin, 'PATCH', `/api/v1/orgs/${org.slug}/roles/${role.json().id}`, {
      permissions: ['orders:view', 'customers:view'],
    });
    expect((await verify(lk, { token, permission: 'customers:view' })).code).toBe('valid');
  });

  it('nobody creates a token holding more than they do', async () => {
    const limited = await call(lk, org.admin, 'POST', `/api/v1/orgs/${org.slug}/roles`, {
      name: 'Token maker',
      permissions: ['tokens:edit', 'service_accounts:view'],
    });
    const makerSa = await createServiceAccount(lk, org, 'token-maker', { roleId: limited.json().id });
    const { token: makerToken } = await createToken(lk, org, { serviceAccountId: makerSa.id });
    const res = await call(lk, { headers: { authorization: `Bearer ${makerToken}` } }, 'POST', tokens(org), {
      name: 'escalate',
      type: 'private',
      serviceAccountId: sa.id,
    });
    expect(res.statusCode).toBe(403);
    expect(errorCode(res)).toBe('permission_escalation');
  });
});

describe('rule 13: reassign', () => {
  it('moves a token to another service account of the same org, keeping its value', async () => {
    const target = await createServiceAccount(lk, org, 'reassign-target');
    const { token, item } = await createToken(lk, org, { serviceAccountId: sa.id });
    const res = await call(lk, org.admin, 'POST', tokens(org, `/${item.id}/reassign`), {
      serviceAccountId: target.id,
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().owner).toMatchObject({ type: 'service_account', id: target.id });
    const v = await verify(lk, { token });
    expect(v.code).toBe('valid');
    expect(v.owner).toMatchObject({ type: 'service_account', id: target.id });
  });

  it('never to a user, never without a target, never across orgs', async () => {
    const { item } = await createToken(lk, org, { serviceAccountId: sa.id });
    expect(
      errorCode(
        await call(lk, org.admin, 'POST', tokens(org, `/${item.id}/reassign`), {
          serviceAccountId: org.ownerId,
        }),
      ),
    ).toBe('service_account_required');
    expect(errorCode(await call(lk, org.admin, 'POST', tokens(org, `/${item.id}/reassign`), {}))).toBe(
      'service_account_required',
    );
    const other = await createOrg(lk);
    const theirs = await createServiceAccount(lk, other, 'elsewhere');
    expect(
      (
        await call(lk, org.admin, 'POST', tokens(org, `/${item.id}/reassign`), {
          serviceAccountId: theirs.id,
        })
      ).statusCode,
    ).toBe(404);
    expect((await call(lk, org.admin, 'GET', tokens(org, `/${item.id}`))).json().owner.id).toBe(sa.id);
  });
});

describe('rule 14: revoke', () => {
  it('stops authenticating at once, stays in the audit trail, hidden from the default list', async () => {
    const { token, item } = await createToken(lk, org, { serviceAccountId: sa.id, name: 'to revoke' });
    expect((await verify(lk, { token })).code).toBe('valid');
    expect((await call(lk, org.admin, 'DELETE', tokens(org, `/${item.id}`))).statusCode).toBe(204);
    expect((await verify(lk, { token })).code).toBe('token_revoked');
    const active = (await call(lk, org.admin, 'GET', tokens(org, '?limit=200'))).json().items as {
      id: string;
    }[];
    expect(active.map((t) => t.id)).not.toContain(item.id);
    const revoked = (await call(lk, org.admin, 'GET', tokens(org, '?status=revoked&limit=200'))).json()
      .items as { id: string }[];
    expect(revoked.map((t) => t.id)).toContain(item.id);
    const audit = (
      await call(lk, org.admin, 'GET', `/api/v1/orgs/${org.slug}/audit-log?targetId=${item.id}`)
    ).json().items as { action: string }[];
    expect(audit.map((a) => a.action)).toEqual(['token.revoke', 'token.create']);
  });
});

describe('rule 15: expiry and the org maximum lifetime', () => {
  it('an expired token stops authenticating', async () => {
    const { token } = await createToken(lk, org, {
      serviceAccountId: sa.id,
      expiresAt: new Date(clock.now().getTime() + 60_000).toISOString(),
    });
    expect((await verify(lk, { token })).code).toBe('valid');
    clock.advance(61_000);
    expect((await verify(lk, { token })).code).toBe('token_expired');
  });

  it('refuses a past expiry', async () => {
    const res = await call(lk, org.admin, 'POST', tokens(org), {
      name: 'e',
      type: 'private',
      serviceAccountId: sa.id,
      expiresAt: new Date(clock.now().getTime() - 1000).toISOString(),
    });
    expect(errorCode(res)).toBe('invalid_expiry');
  });

  it('an org maximum lifetime bounds new tokens and defaults their expiry', async () => {
    const o = await createOrg(lk);
    const osa = await createServiceAccount(lk, o, 'bounded');
    const owner = await login(lk, o.ownerEmail);
    const set = await call(lk, owner, 'PATCH', `/api/v1/orgs/${o.slug}`, { maxTokenLifetimeDays: 30 });
    expect(set.statusCode, set.body).toBe(200);
    const tooLong = await call(lk, o.admin, 'POST', tokens(o), {
      name: 'long',
      type: 'private',
      serviceAccountId: osa.id,
      expiresAt: new Date(clock.now().getTime() + 31 * 86_400_000).toISOString(),
    });
    expect(errorCode(tooLong)).toBe('invalid_expiry');
    const defaulted = await call(lk, o.admin, 'POST', tokens(o), {
      name: 'default',
      type: 'private',
      serviceAccountId: osa.id,
    });
    expect(defaulted.statusCode).toBe(201);
    expect(Date.parse(defaulted.json().item.expiresAt)).toBe(clock.now().getTime() + 30 * 86_400_000);
    // Clearing the expiry under a maximum is refused (issue 11, finding 7); the expiry stays.
    const never = await call(lk, o.admin, 'PATCH', tokens(o, `/${defaulted.json().item.id}`), {
      expiresAt: null,
    });
    expect(errorCode(never), never.body).toBe('invalid_expiry');
    const kept = (await call(lk, o.admin, 'GET', tokens(o, `/${defaulted.json().item.id}`))).json();
    expect(Date.parse(kept.expiresAt)).toBe(clock.now().getTime() + 30 * 86_400_000);
  });
});

describe('rule 16: no path creates a user-owned token except import', () => {
  it('create refuses user owners; reassign refuses users; only import yields legacy tokens', async () => {
    expect(
      errorCode(
        await call(lk, org.admin, 'POST', tokens(org), {
          name: 'u',
          type: 'private',
          serviceAccountId: org.ownerId,
        }),
      ),
    ).toBe('service_account_required');
    const extra = await call(lk, org.admin, 'POST', tokens(org), {
      name: 'u',
      type: 'private',
      serviceAccountId: sa.id,
      ownerUserId: org.ownerId,
    });
    expect(errorCode(extra)).toBe('validation_failed');
    // The owner imports: an Admin may not mint a token carrying the Owner's grants (escalation).
    const owner = await login(lk, org.ownerEmail);
    const imported = await call(lk, owner, 'POST', tokens(org, '/import'), {
      tokens: [
        { ownerEmail: org.ownerEmail, name: 'legacy', type: 'private', value: `legacy-${Date.now()}-value` },
      ],
    });
    expect(imported.statusCode, imported.body).toBe(201);
    const t = (await call(lk, org.admin, 'GET', tokens(org, `/${imported.json().rows[0].tokenId}`))).json();
    expect(t).toMatchObject({ legacy: true, imported: true, owner: { type: 'user', id: org.ownerId } });
  });
});

describe('listing', () => {
  it('filters by owner, type and status, searches by name, and pages with a cursor', async () => {
    const o = await createOrg(lk);
    const a = await createServiceAccount(lk, o, 'a');
    const b = await createServiceAccount(lk, o, 'b');
    for (let i = 0; i < 5; i++) {
      await createToken(lk, o, { serviceAccountId: a.id, name: `a-priv-${i}` });
      clock.advance(1);
    }
    await createToken(lk, o, {
      serviceAccountId: b.id,
      name: 'b-pub',
      type: 'public',
      domains: ['https://b.example.com'],
    });
    const byOwner = (await call(lk, o.admin, 'GET', tokens(o, `?owner=${b.id}`))).json().items;
    expect(byOwner.map((t: { name: string }) => t.name)).toEqual(['b-pub']);
    const pubs = (await call(lk, o.admin, 'GET', tokens(o, '?type=public'))).json().items;
    expect(pubs.map((t: { name: string }) => t.name)).toEqual(['b-pub']);
    const searched = (await call(lk, o.admin, 'GET', tokens(o, '?search=priv-3'))).json().items;
    expect(searched.map((t: { name: string }) => t.name)).toEqual(['a-priv-3']);

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: { name: string }[]; nextCursor: string | null } = (
        await call(
          lk,
          o.admin,
          'GET',
          tokens(o, `?owner=${a.id}&limit=2${cursor ? `&cursor=${cursor}` : ''}`),
        )
      ).json();
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((t: { name: string }) => t.name));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(['a-priv-4', 'a-priv-3', 'a-priv-2', 'a-priv-1', 'a-priv-0']);
  });

  it('rejects bad filters and forged cursors with validation_failed', async () => {
    for (const q of [
      '?limit=0',
      '?limit=1000',
      '?type=secret',
      '?status=gone',
      '?owner=bob',
      '?cursor=bm90LWpzb24',
      '?extra=1',
    ]) {
      const res = await call(lk, org.admin, 'GET', tokens(org, q));
      expect(res.statusCode, q).toBe(400);
      expect(errorCode(res), q).toBe('validation_failed');
    }
  });
});

describe('one owner, one live token per name (issue 17 item 10)', () => {
  it('refuses a second live token with the same name for the same service account, and writes nothing', async () => {
    const owner = await createServiceAccount(lk, org, 'names-a');
    const other = await createServiceAccount(lk, org, 'names-b');
    const first = await createToken(lk, org, { name: 'checkout', serviceAccountId: owner.id });
    const before = await countTokens();
    const again = await call(lk, org.admin, 'POST', tokens(org), {
      name: 'checkout',
      type: 'public',
      domains: ['https://shop.example.com'],
      serviceAccountId: owner.id,
    });
    expect(again.statusCode, again.body).toBe(409);
    expect(errorCode(again)).toBe('name_taken');
    expect(again.json().error.message).toMatch(/already has a live token named "checkout"/);
    expect(await countTokens()).toBe(before);

    // Another owner may use the name; names differ by case, so "Checkout" is another name.
    await createToken(lk, org, { name: 'checkout', serviceAccountId: other.id });
    await createToken(lk, org, { name: 'Checkout', serviceAccountId: owner.id });

    // An expired token's name is free again, and so is a revoked one's.
    const expiring = await createToken(lk, org, {
      name: 'short-lived',
      serviceAccountId: owner.id,
      expiresAt: new Date(clock.now().getTime() + 60_000).toISOString(),
    });
    clock.advance(120_000);
    await createToken(lk, org, { name: 'short-lived', serviceAccountId: owner.id });
    expect(expiring.item.id).toBeTruthy();
    const revoked = await call(lk, org.admin, 'DELETE', tokens(org, `/${first.item.id}`));
    expect(revoked.statusCode).toBe(204);
    await createToken(lk, org, { name: 'checkout', serviceAccountId: owner.id });
  });

  it('refuses a rename onto a live sibling name; keeping its own name is no change', async () => {
    const owner = await createServiceAccount(lk, org, 'names-c');
    const a = await createToken(lk, org, { name: 'alpha', serviceAccountId: owner.id });
    await createToken(lk, org, { name: 'beta', serviceAccountId: owner.id });
    const clash = await call(lk, org.admin, 'PATCH', tokens(org, `/${a.item.id}`), { name: 'beta' });
    expect(clash.statusCode, clash.body).toBe(409);
    expect(errorCode(clash)).toBe('name_taken');
    const same = await call(lk, org.admin, 'PATCH', tokens(org, `/${a.item.id}`), { name: 'alpha' });
    expect(same.statusCode, same.body).toBe(200);
    const got = await call(lk, org.admin, 'GET', tokens(org, `/${a.item.id}`));
    expect(got.json().name).toBe('alpha');
  });

  it('two concurrent creates with one name: one token, one name_taken', async () => {
    const owner = await createServiceAccount(lk, org, 'names-d');
    const body = { name: 'racer', type: 'private', serviceAccountId: owner.id };
    const answers = await Promise.all([
      call(lk, org.admin, 'POST', tokens(org), body),
      call(lk, org.admin, 'POST', tokens(org), body),
    ]);
    expect(answers.map((r) => r.statusCode).sort()).toEqual([201, 409]);
    const listed = await call(lk, org.admin, 'GET', tokens(org, `?owner=${owner.id}&status=active`));
    expect(listed.json().items.map((t: { name: string }) => t.name)).toEqual(['racer']);
  });
});
