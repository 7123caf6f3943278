import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addMember,
  bearer,
  call,
  createOrg,
  createServiceAccount,
  createToken,
  errorCode,
  login,
  roleId,
  startInstance,
  verify,
  type Caller,
  type Org,
  type TestInstance,
} from '../helpers/harness.js';

/**
 * Issue 11, finding 10: one rule on every path — a caller creates, changes, reassigns or revokes only
 * what grants no more than they hold — and reassignment never silently widens what a token can do.
 * Callers here hold custom roles with less than the objects they try to touch.
 */
let lk: TestInstance;
let org: Org;
let owner: Caller;
let adminSa: { id: string };
beforeAll(async () => {
  lk = await startInstance();
  org = await createOrg(lk);
  owner = await login(lk, org.ownerEmail);
  adminSa = await createServiceAccount(lk, org, 'admin-target', { roleId: await roleId(lk, org, 'Admin') });
});
afterAll(() => lk.close());

const base = () => `/api/v1/orgs/${org.slug}`;
let n = 0;
const unique = (prefix: string) => `${prefix}-${(n += 1)}`;
const legacyValue = () => `legacy-escalation-${process.pid}-${(n += 1)}-value`;

/** A caller acting through a private token of a service account whose custom role holds exactly `permissions`. */
async function callerHolding(permissions: string[]): Promise<Caller> {
  const role = await call(lk, owner, 'POST', `${base()}/roles`, { name: unique('Holds'), permissions });
  expect(role.statusCode, role.body).toBe(201);
  const sa = await createServiceAccount(lk, org, unique('holder'), { roleId: role.json().id });
  return bearer((await createToken(lk, org, { serviceAccountId: sa.id })).token);
}

/** A member whose custom role holds exactly `permissions`, owning one imported legacy token per value. */
async function memberWithLegacyTokens(permissions: string[], count = 1) {
  const role = await call(lk, owner, 'POST', `${base()}/roles`, { name: unique('Member role'), permissions });
  expect(role.statusCode, role.body).toBe(201);
  const email = `${unique('member')}@escalation.test`;
  const member = await addMember(lk, org, email, role.json().name);
  const values = Array.from({ length: count }, legacyValue);
  const imported = await call(lk, owner, 'POST', `${base()}/tokens/import`, {
    tokens: values.map((value, i) => ({ ownerEmail: email, name: `legacy ${i}`, type: 'private', value })),
  });
  expect(imported.statusCode, imported.body).toBe(201);
  return {
    userId: member.userId,
    values,
    ids: imported.json().rows.map((r: { tokenId: string }) => r.tokenId) as string[],
  };
}

describe('creating a service account', () => {
  it('without roleId (Viewer by default) is refused to a caller holding less than Viewer', async () => {
    const caller = await callerHolding(['service_accounts:edit']);
    const res = await call(lk, caller, 'POST', `${base()}/service-accounts`, {
      name: unique('default-role'),
    });
    expect(res.statusCode, res.body).toBe(403);
    expect(errorCode(res)).toBe('permission_escalation');
    // A role the caller holds is fine.
    const own = await call(lk, owner, 'POST', `${base()}/roles`, {
      name: unique('Small'),
      permissions: ['service_accounts:view'],
    });
    const ok = await call(lk, caller, 'POST', `${base()}/service-accounts`, {
      name: unique('small-role'),
      roleId: own.json().id,
    });
    expect(ok.statusCode, ok.body).toBe(201);
  });

  it('without roleId is fine for a caller who holds Viewer', async () => {
    const res = await call(lk, org.admin, 'POST', `${base()}/service-accounts`, {
      name: unique('viewer-default'),
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().roleName).toBe('Viewer');
  });
});

describe('revoking and changing a token', () => {
  it('revoking a token that grants more than the caller holds is refused; the token keeps working', async () => {
    const caller = await callerHolding(['tokens:edit']);
    const { token, item } = await createToken(lk, org, { serviceAccountId: adminSa.id });
    const res = await call(lk, caller, 'DELETE', `${base()}/tokens/${item.id}`);
    expect(res.statusCode, res.body).toBe(403);
    expect(errorCode(res)).toBe('permission_escalation');
    expect((await verify(lk, { token })).code).toBe('valid');
  });

  it('revoking a token within what the caller holds is allowed', async () => {
    const caller = await callerHolding(['tokens:edit']);
    const small = await call(lk, owner, 'POST', `${base()}/roles`, {
      name: unique('Token reader'),
      permissions: ['tokens:view'],
    });
    const sa = await createServiceAccount(lk, org, unique('small'), { roleId: small.json().id });
    const { token, item } = await createToken(lk, org, { serviceAccountId: sa.id });
    expect((await call(lk, caller, 'DELETE', `${base()}/tokens/${item.id}`)).statusCode).toBe(204);
    expect((await verify(lk, { token })).code).toBe('token_revoked');
  });

  it('narrowing a token that grants more than the caller holds is refused too (the before counts)', async () => {
    const caller = await callerHolding(['tokens:edit']);
    const { token, item } = await createToken(lk, org, { serviceAccountId: adminSa.id });
    const res = await call(lk, caller, 'PATCH', `${base()}/tokens/${item.id}`, {
      permissions: ['tokens:view'],
    });
    expect(errorCode(res), res.body).toBe('permission_escalation');
    expect((await verify(lk, { token, permission: 'orders:edit' })).code).toBe('valid');
  });
});

describe("a token's own permission list", () => {
  it('may name only permissions the caller holds, even those the owner lacks today (they would go live with a wider role)', async () => {
    const caller = await callerHolding(['tokens:edit', 'orders:view']);
    const small = await call(lk, owner, 'POST', `${base()}/roles`, {
      name: unique('Orders reader'),
      permissions: ['orders:view'],
    });
    const sa = await createServiceAccount(lk, org, unique('orders'), { roleId: small.json().id });
    const wide = await call(lk, caller, 'POST', `${base()}/tokens`, {
      name: 'wide list',
      type: 'private',
      serviceAccountId: sa.id,
      permissions: ['orders:view', 'org_settings:edit'],
    });
    expect(errorCode(wide), wide.body).toBe('permission_escalation');
    const ok = await call(lk, caller, 'POST', `${base()}/tokens`, {
      name: 'narrow list',
      type: 'private',
      serviceAccountId: sa.id,
      permissions: ['orders:view'],
    });
    expect(ok.statusCode, ok.body).toBe(201);
    const widened = await call(lk, caller, 'PATCH', `${base()}/tokens/${ok.json().item.id}`, {
      permissions: ['assets:edit'],
    });
    expect(errorCode(widened), widened.body).toBe('permission_escalation');
  });
});

describe('reassigning never silently widens', () => {
  it('a legacy token ("all of its owner\'s role") keeps at most what it had; the answer and the audit show before/after', async () => {
    const { values, ids } = await memberWithLegacyTokens(['orders:view']);
    const res = await call(lk, org.admin, 'POST', `${base()}/tokens/${ids[0]}/reassign`, {
      serviceAccountId: adminSa.id,
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({
      effectivePermissionsBefore: ['orders:view'],
      effectivePermissions: ['orders:view'],
      permissions: ['orders:view'],
    });
    expect((await verify(lk, { token: values[0]!, permission: 'orders:view' })).code).toBe('valid');
    expect((await verify(lk, { token: values[0]!, permission: 'orders:edit' })).code).toBe(
      'permission_denied',
    );
    expect((await verify(lk, { token: values[0]!, permission: 'customers:view' })).code).toBe(
      'permission_denied',
    );
    const audit = (
      await call(lk, owner, 'GET', `${base()}/audit-log?targetId=${ids[0]}&action=token.reassign`)
    ).json().items;
    expect(audit).toHaveLength(1);
    expect(audit[0].before).toMatchObject({
      ownerUserId: expect.stringMatching(/^usr_/),
      permissions: null,
      effectivePermissions: ['orders:view'],
    });
    expect(audit[0].after).toMatchObject({
      ownerServiceAccountId: adminSa.id,
      permissions: ['orders:view'],
      effectivePermissions: ['orders:view'],
    });
  });

  it('a token with its own list is pinned too: a bigger new role does not widen it', async () => {
    const readerRole = await call(lk, owner, 'POST', `${base()}/roles`, {
      name: unique('Orders reader'),
      permissions: ['orders:view'],
    });
    const from = await createServiceAccount(lk, org, unique('reader'), { roleId: readerRole.json().id });
    const { token, item } = await createToken(lk, org, {
      serviceAccountId: from.id,
      permissions: ['orders:edit'],
    });
    expect(item.effectivePermissions).toEqual(['orders:view']);
    const res = await call(lk, org.admin, 'POST', `${base()}/tokens/${item.id}/reassign`, {
      serviceAccountId: adminSa.id,
    });
    expect(res.json().effectivePermissions, res.body).toEqual(['orders:view']);
    expect((await verify(lk, { token, permission: 'orders:edit' })).code).toBe('permission_denied');
  });

  it('permissions: "owner_role" gives the new owner\'s whole role, only to a caller who holds it', async () => {
    const { values, ids } = await memberWithLegacyTokens(['orders:view'], 2);
    const mover = await callerHolding(['tokens:edit', 'orders:view', 'service_accounts:view']);
    const refused = await call(lk, mover, 'POST', `${base()}/tokens/${ids[0]}/reassign`, {
      serviceAccountId: adminSa.id,
      permissions: 'owner_role',
    });
    expect(refused.statusCode, refused.body).toBe(403);
    expect(errorCode(refused)).toBe('permission_escalation');
    expect((await call(lk, org.admin, 'GET', `${base()}/tokens/${ids[0]}`)).json().owner.type).toBe('user');
    // The same caller may move it pinned: it then grants nothing the caller lacks.
    const pinned = await call(lk, mover, 'POST', `${base()}/tokens/${ids[0]}/reassign`, {
      serviceAccountId: adminSa.id,
    });
    expect(pinned.statusCode, pinned.body).toBe(200);
    // An Admin asking explicitly gets the new owner's role.
    const widened = await call(lk, org.admin, 'POST', `${base()}/tokens/${ids[1]}/reassign`, {
      serviceAccountId: adminSa.id,
      permissions: 'owner_role',
    });
    expect(widened.statusCode, widened.body).toBe(200);
    expect(widened.json().permissions).toBeNull();
    expect((await verify(lk, { token: values[1]!, permission: 'orders:edit' })).code).toBe('valid');
  });

  it('a caller cannot reassign a token that already grants more than they hold', async () => {
    const { ids } = await memberWithLegacyTokens(['orders:view', 'customers:view']);
    const mover = await callerHolding(['tokens:edit', 'orders:view', 'service_accounts:view']);
    const res = await call(lk, mover, 'POST', `${base()}/tokens/${ids[0]}/reassign`, {
      serviceAccountId: adminSa.id,
    });
    expect(errorCode(res), res.body).toBe('permission_escalation');
  });

  it('members/{userId}/reassign-tokens pins every token and reports before/after per token', async () => {
    const { userId, values, ids } = await memberWithLegacyTokens(['orders:view'], 2);
    const res = await call(lk, org.admin, 'POST', `${base()}/members/${userId}/reassign-tokens`, {
      serviceAccountId: adminSa.id,
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().reassigned).toEqual(ids);
    expect(res.json().tokens).toEqual(
      ids.map((id) => ({
        id,
        effectivePermissionsBefore: ['orders:view'],
        effectivePermissionsAfter: ['orders:view'],
        expiresAt: null,
      })),
    );
    for (const token of values)
      expect((await verify(lk, { token, permission: 'orders:edit' })).code).toBe('permission_denied');
    // The move is one audit entry for all of them (issue 17 item 1), each token's change in it.
    const audit = (
      await call(lk, owner, 'GET', `${base()}/audit-log?targetId=${ids[1]}&action=token.bulk_change`)
    ).json().items;
    const change = audit[0].after.changes.find((c: { id: string }) => c.id === ids[1]);
    expect(change).toMatchObject({ action: 'token.reassign' });
    expect(change.after.effectivePermissions).toEqual(['orders:view']);
  });

  it('members/{userId}/reassign-tokens with permissions: "owner_role" widens only on request', async () => {
    const { userId, values } = await memberWithLegacyTokens(['orders:view']);
    const res = await call(lk, org.admin, 'POST', `${base()}/members/${userId}/reassign-tokens`, {
      serviceAccountId: adminSa.id,
      permissions: 'owner_role',
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().tokens[0].effectivePermissionsAfter).toContain('orders:edit');
    expect((await verify(lk, { token: values[0]!, permission: 'orders:edit' })).code).toBe('valid');
  });
});
