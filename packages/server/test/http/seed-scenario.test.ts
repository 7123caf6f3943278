import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  addMember,
  call,
  createOrg,
  errorCode,
  login,
  startInstance,
  verify,
  type TestInstance,
} from '../helpers/harness.js';

let lk: TestInstance;
beforeAll(async () => {
  lk = await startInstance();
});
afterAll(() => lk.close());

/** The walk-through of shared/seed/service-accounts.md, end to end through the API. */
it('walks the seed: service account, tokens, legacy import, reassign, then remove the user', async () => {
  const org = await createOrg(lk, 'seed-walk');
  const owner = await login(lk, org.ownerEmail);
  const api = `/api/v1/orgs/${org.slug}`;

  // Settings → Members → "Add new service account": a name with spaces is refused.
  const badName = await call(lk, owner, 'POST', `${api}/service-accounts`, { name: 'web shop' });
  expect(errorCode(badName)).toBe('invalid_service_account_name');
  const sa = await call(lk, owner, 'POST', `${api}/service-accounts`, {
    name: 'web-shop',
    description: 'Embedded viewer on the storefront',
  });
  expect(sa.statusCode, sa.body).toBe(201);
  const saId = sa.json().id as string;
  const listed = (await call(lk, owner, 'GET', `${api}/service-accounts`))
    .json()
    .items.map((s: { name: string }) => s.name);
  expect(listed).toContain('web-shop');

  // Settings → Tokens → "Add Token" without a service account is refused, for both types.
  for (const type of ['public', 'private'] as const) {
    const res = await call(lk, owner, 'POST', `${api}/tokens`, {
      name: 'no owner',
      type,
      domains: type === 'public' ? ['https://shop.example.com'] : undefined,
    });
    expect(errorCode(res)).toBe('service_account_required');
  }

  // A public token for two explicitly listed subdomains, and a private token.
  const pub = await call(lk, owner, 'POST', `${api}/tokens`, {
    name: 'storefront viewer',
    serviceAccountId: saId,
    type: 'public',
    domains: ['https://subdomain1.yourwebpage.com/', 'https://subdomain2.yourwebpage.com/'],
  });
  expect(pub.statusCode, pub.body).toBe(201);
  const pubValue = pub.json().token as string;
  expect((await verify(lk, { token: pubValue, origin: 'https://subdomain2.yourwebpage.com' })).code).toBe(
    'valid',
  );
  expect((await verify(lk, { token: pubValue, origin: 'https://other.yourwebpage.com' })).code).toBe(
    'origin_not_allowed',
  );
  const prv = await call(lk, owner, 'POST', `${api}/tokens`, {
    name: 'backend sync',
    serviceAccountId: saId,
    type: 'private',
  });
  expect(prv.statusCode, prv.body).toBe(201);
  expect((await verify(lk, { token: prv.json().token })).code).toBe('valid');

  // A colleague's token from the old system is imported, owned by them.
  const colleagueEmail = 'colleague@seed.test';
  const colleague = await addMember(lk, org, colleagueEmail, 'Admin');
  const legacyValue = '3f1c9a52-6a1e-4f0e-9a53-7d2b8c4e1f00';
  const imported = await call(lk, owner, 'POST', `${api}/tokens/import`, {
    tokens: [{ ownerEmail: colleagueEmail, name: 'old integration', type: 'private', value: legacyValue }],
  });
  expect(imported.statusCode, imported.body).toBe(201);
  const legacyId = imported.json().rows[0].tokenId as string;
  expect((await verify(lk, { token: legacyValue })).owner).toMatchObject({
    type: 'user',
    id: colleague.userId,
  });

  // They cannot be removed while they own it.
  const refused = await call(lk, owner, 'DELETE', `${api}/members/${colleague.userId}`);
  expect(errorCode(refused)).toBe('member_owns_tokens');
  expect(refused.json().error.details.tokens.map((t: { id: string }) => t.id)).toEqual([legacyId]);

  // "Reassign Token" to the service account: the same value keeps working, now owned by the account.
  const reassigned = await call(lk, owner, 'POST', `${api}/tokens/${legacyId}/reassign`, {
    serviceAccountId: saId,
  });
  expect(reassigned.statusCode, reassigned.body).toBe(200);
  const after = await verify(lk, { token: legacyValue });
  expect(after.code).toBe('valid');
  expect(after.owner).toMatchObject({ type: 'service_account', id: saId });

  // Now the user can be removed, and the token still works.
  expect((await call(lk, owner, 'DELETE', `${api}/members/${colleague.userId}`)).statusCode).toBe(204);
  const members = (await call(lk, owner, 'GET', `${api}/members`))
    .json()
    .items.map((m: { email: string }) => m.email);
  expect(members).not.toContain(colleagueEmail);
  expect((await verify(lk, { token: legacyValue })).code).toBe('valid');
});
