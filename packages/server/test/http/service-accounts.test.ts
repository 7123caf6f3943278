import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  call,
  createOrg,
  createServiceAccount,
  createToken,
  errorCode,
  roleId,
  startInstance,
  verify,
  type Org,
  type TestInstance,
} from '../helpers/harness.js';

let lk: TestInstance;
let org: Org;
beforeAll(async () => {
  lk = await startInstance();
  org = await createOrg(lk);
});
afterAll(() => lk.close());

const url = (o: Org, rest = '') => `/api/v1/orgs/${o.slug}/service-accounts${rest}`;

describe('rule 1: service account names', () => {
  it.each(['has space', 'semi;colon', 'dots.are.special', '', 'x'.repeat(65), 'ünïcode'])(
    'refuses %j with invalid_service_account_name and writes nothing',
    async (name) => {
      const before = (await call(lk, org.admin, 'GET', url(org))).json().items.length;
      const res = await call(lk, org.admin, 'POST', url(org), { name });
      expect(res.statusCode, res.body).toBe(400);
      expect(errorCode(res)).toBe('invalid_service_account_name');
      expect(res.json().error.message).toMatch(/letters, digits, "-" and "_"/);
      expect((await call(lk, org.admin, 'GET', url(org))).json().items.length).toBe(before);
    },
  );

  it('accepts letters, digits, - and _ and defaults the role to Viewer', async () => {
    const res = await call(lk, org.admin, 'POST', url(org), {
      name: 'Storefront_bot-1',
      description: 'the shop',
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({
      name: 'Storefront_bot-1',
      roleName: 'Viewer',
      status: 'active',
      activeTokens: 0,
    });
    expect(res.json().id).toMatch(/^sa_/);
  });

  it('names are unique per org, case-insensitively (409 name_taken), but may repeat across orgs', async () => {
    await createServiceAccount(lk, org, 'unique-one');
    const dup = await call(lk, org.admin, 'POST', url(org), { name: 'UNIQUE-ONE' });
    expect(dup.statusCode).toBe(409);
    expect(errorCode(dup)).toBe('name_taken');
    const other = await createOrg(lk);
    expect((await call(lk, other.admin, 'POST', url(other), { name: 'unique-one' })).statusCode).toBe(201);
  });

  it("a name cannot be another account's id, in any case, on create or rename (issue 11, finding 12)", async () => {
    const target = await createServiceAccount(lk, org, 'id-target');
    for (const name of [target.id, target.id.toUpperCase(), target.id.toLowerCase()]) {
      const res = await call(lk, org.admin, 'POST', url(org), { name });
      expect(res.statusCode, res.body).toBe(400);
      expect(errorCode(res)).toBe('invalid_service_account_name');
    }
    const other = await createServiceAccount(lk, org, 'will-not-shadow');
    const renamed = await call(lk, org.admin, 'PATCH', url(org, `/${other.id}`), {
      name: target.id.toLowerCase(),
    });
    expect(errorCode(renamed), renamed.body).toBe('invalid_service_account_name');
    // Looking the target up by its id still finds the target, not an impostor.
    expect((await call(lk, org.admin, 'GET', url(org, `/${target.id}`))).json().name).toBe('id-target');
  });

  it('renaming follows the same rules', async () => {
    const sa = await createServiceAccount(lk, org, 'to-rename');
    const bad = await call(lk, org.admin, 'PATCH', url(org, `/${sa.id}`), { name: 'bad name' });
    expect(errorCode(bad)).toBe('invalid_service_account_name');
    const ok = await call(lk, org.admin, 'PATCH', url(org, `/${sa.id}`), { name: 'renamed' });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json().name).toBe('renamed');
  });
});

describe('rule 2: service accounts are listed apart from members', () => {
  it('the members list holds only people and the service-account list only accounts', async () => {
    await createServiceAccount(lk, org, 'listed-apart');
    const members = (await call(lk, org.admin, 'GET', `/api/v1/orgs/${org.slug}/members`)).json().items as {
      email: string;
    }[];
    const sas = (await call(lk, org.admin, 'GET', url(org))).json().items as { name: string }[];
    expect(members.map((m) => m.email)).toEqual([org.ownerEmail]);
    expect(sas.map((s) => s.name)).toContain('listed-apart');
    expect(sas.map((s) => s.name)).toContain('admin');
  });
});

describe('rule 3: disable and re-enable', () => {
  it('a disabled account’s tokens do not authenticate; re-enabled they do again', async () => {
    const sa = await createServiceAccount(lk, org, 'toggle-me');
    const { token } = await createToken(lk, org, { serviceAccountId: sa.id });
    expect((await verify(lk, { token })).code).toBe('valid');
    const off = await call(lk, org.admin, 'PATCH', url(org, `/${sa.id}`), { disabled: true });
    expect(off.json().status).toBe('disabled');
    expect((await verify(lk, { token })).code).toBe('owner_disabled');
    await call(lk, org.admin, 'PATCH', url(org, `/${sa.id}`), { disabled: false });
    expect((await verify(lk, { token })).code).toBe('valid');
  });
});

describe('rule 4: delete guard', () => {
  it('refuses while the account owns active tokens, listing them; nothing changes', async () => {
    const sa = await createServiceAccount(lk, org, 'guarded');
    const { token, item } = await createToken(lk, org, { serviceAccountId: sa.id, name: 'keep me' });
    const res = await call(lk, org.admin, 'DELETE', url(org, `/${sa.id}`));
    expect(res.statusCode).toBe(409);
    expect(errorCode(res)).toBe('service_account_has_tokens');
    expect(res.json().error.details.tokens).toEqual([
      expect.objectContaining({ id: item.id, name: 'keep me' }),
    ]);
    expect((await call(lk, org.admin, 'GET', url(org, `/${sa.id}`))).statusCode).toBe(200);
    expect((await verify(lk, { token })).code).toBe('valid');
  });

  it('with revokeTokens=true revokes them in the same request and deletes the account', async () => {
    const sa = await createServiceAccount(lk, org, 'revoke-and-go');
    const { token, item } = await createToken(lk, org, { serviceAccountId: sa.id });
    const res = await call(lk, org.admin, 'DELETE', url(org, `/${sa.id}?revokeTokens=true`));
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().revokedTokens).toEqual([item.id]);
    expect((await call(lk, org.admin, 'GET', url(org, `/${sa.id}`))).statusCode).toBe(404);
    expect((await verify(lk, { token })).code).toBe('token_revoked');
    const t = (await call(lk, org.admin, 'GET', `/api/v1/orgs/${org.slug}/tokens/${item.id}`)).json();
    expect(t).toMatchObject({ status: 'revoked', owner: { id: sa.id, deleted: true } });
  });

  it('deletes an account without tokens, and its name becomes free again', async () => {
    const sa = await createServiceAccount(lk, org, 'short-lived');
    expect((await call(lk, org.admin, 'DELETE', url(org, `/${sa.id}`))).statusCode).toBe(200);
    expect((await call(lk, org.admin, 'POST', url(org), { name: 'short-lived' })).statusCode).toBe(201);
  });
});

describe('roles of service accounts', () => {
  it('changing the role changes what its tokens can do at once (rule 12)', async () => {
    const sa = await createServiceAccount(lk, org, 'role-changer');
    const { token } = await createToken(lk, org, { serviceAccountId: sa.id });
    expect((await verify(lk, { token, permission: 'orders:edit' })).code).toBe('permission_denied');
    await call(lk, org.admin, 'PATCH', url(org, `/${sa.id}`), { roleId: await roleId(lk, org, 'Admin') });
    expect((await verify(lk, { token, permission: 'orders:edit' })).code).toBe('valid');
  });

  it('an unknown or foreign role id is 404', async () => {
    const other = await createOrg(lk);
    const res = await call(lk, org.admin, 'POST', url(org), {
      name: 'foreign-role',
      roleId: await roleId(lk, other, 'Viewer'),
    });
    expect(res.statusCode).toBe(404);
  });
});
