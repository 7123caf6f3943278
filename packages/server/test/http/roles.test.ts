import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addMember,
  call,
  createOrg,
  createServiceAccount,
  errorCode,
  login,
  startInstance,
  testClock,
  type Caller,
  type Org,
  type TestInstance,
} from '../helpers/harness.js';

/** Finding 8: deleting a role answers what still holds it, and history never blocks it (both stores). */
const clock = testClock();
let lk: TestInstance;
beforeAll(async () => {
  lk = await startInstance({}, { clock });
});
afterAll(() => lk.close());

const base = (o: Org) => `/api/v1/orgs/${o.slug}`;
let n = 0;

async function setup(): Promise<{ org: Org; owner: Caller; role: { id: string; name: string } }> {
  const org = await createOrg(lk);
  const owner = await login(lk, org.ownerEmail);
  const res = await call(lk, owner, 'POST', `${base(org)}/roles`, {
    name: `Deployer ${++n}`,
    permissions: ['assets:view'],
  });
  expect(res.statusCode, res.body).toBe(201);
  return { org, owner, role: res.json() };
}

describe('a role still in use is refused with role_in_use, saying what holds it', () => {
  it('members, live service accounts and pending invitations: counts and ids', async () => {
    const { org, owner, role } = await setup();
    const member = await addMember(lk, org, `holder${++n}@roles.test`);
    expect(
      (await call(lk, owner, 'PATCH', `${base(org)}/members/${member.userId}`, { roleId: role.id }))
        .statusCode,
    ).toBe(200);
    const sa = await createServiceAccount(lk, org, `holder-${n}`, { roleId: role.id });
    const inv = (
      await call(lk, owner, 'POST', `${base(org)}/invitations`, {
        email: `invitee${n}@roles.test`,
        roleId: role.id,
      })
    ).json();

    const res = await call(lk, owner, 'DELETE', `${base(org)}/roles/${role.id}`);
    expect(res.statusCode, res.body).toBe(409);
    expect(errorCode(res)).toBe('role_in_use');
    expect(res.json().error.details).toEqual({
      members: { count: 1, userIds: [member.userId] },
      serviceAccounts: { count: 1, ids: [sa.id] },
      invitations: { count: 1, ids: [inv.invitation.id] },
    });
    expect(
      (await call(lk, owner, 'GET', `${base(org)}/roles`)).json().items.map((r: { id: string }) => r.id),
    ).toContain(role.id);
  });

  it.each(['member', 'service account', 'pending invitation'])(
    'a %s alone is enough to refuse',
    async (holder) => {
      const { org, owner, role } = await setup();
      if (holder === 'member') {
        const m = await addMember(lk, org, `alone${++n}@roles.test`);
        await call(lk, owner, 'PATCH', `${base(org)}/members/${m.userId}`, { roleId: role.id });
      } else if (holder === 'service account') {
        await createServiceAccount(lk, org, `alone-${++n}`, { roleId: role.id });
      } else {
        await call(lk, owner, 'POST', `${base(org)}/invitations`, {
          email: `alone${++n}@roles.test`,
          roleId: role.id,
        });
      }
      const res = await call(lk, owner, 'DELETE', `${base(org)}/roles/${role.id}`);
      expect(res.statusCode, res.body).toBe(409);
      expect(errorCode(res)).toBe('role_in_use');
    },
  );
});

describe('history never blocks a delete', () => {
  it('accepted, revoked and expired invitations and deleted service accounts: 204, and the history still names the role', async () => {
    const { org, owner, role } = await setup();
    const viewer = (await call(lk, owner, 'GET', `${base(org)}/roles`))
      .json()
      .items.find((r: { name: string }) => r.name === 'Viewer').id;
    // Accepted, then moved to another role.
    const accepted = (
      await call(lk, owner, 'POST', `${base(org)}/invitations`, {
        email: `accepted${++n}@roles.test`,
        roleId: role.id,
      })
    ).json();
    const acc = await lk.app.inject({
      method: 'POST',
      url: '/api/v1/invitations/accept',
      payload: { token: accepted.token, name: 'Accepted', password: 'a long password 1' },
    });
    expect(acc.statusCode, acc.body).toBe(202); // a newcomer: account and membership made, sign-in next
    const members = (await call(lk, owner, 'GET', `${base(org)}/members`)).json().items as {
      userId: string;
      email: string;
    }[];
    const joined = members.find((m) => m.email === `accepted${n}@roles.test`)!;
    await call(lk, owner, 'PATCH', `${base(org)}/members/${joined.userId}`, { roleId: viewer });
    // Revoked.
    const revoked = (
      await call(lk, owner, 'POST', `${base(org)}/invitations`, {
        email: `revoked${n}@roles.test`,
        roleId: role.id,
      })
    ).json();
    expect(
      (await call(lk, owner, 'DELETE', `${base(org)}/invitations/${revoked.invitation.id}`)).statusCode,
    ).toBe(204);
    // Deleted service account.
    const sa = await createServiceAccount(lk, org, `gone-${n}`, { roleId: role.id });
    expect((await call(lk, owner, 'DELETE', `${base(org)}/service-accounts/${sa.id}`)).statusCode).toBe(200);
    // Expired (the clock moves past its lifetime; sign in again afterwards).
    const expired = (
      await call(lk, owner, 'POST', `${base(org)}/invitations`, {
        email: `expired${n}@roles.test`,
        roleId: role.id,
      })
    ).json();
    clock.advance(lk.config.invitationTtlHours * 3_600_000 + 1000);
    const fresh = await login(lk, org.ownerEmail);

    const del = await call(lk, fresh, 'DELETE', `${base(org)}/roles/${role.id}`);
    expect(del.statusCode, del.body).toBe(204);

    // Gone from the roles list, not assignable, its name free again.
    expect(
      (await call(lk, fresh, 'GET', `${base(org)}/roles`)).json().items.map((r: { id: string }) => r.id),
    ).not.toContain(role.id);
    expect(
      errorCode(await call(lk, fresh, 'PATCH', `${base(org)}/members/${joined.userId}`, { roleId: role.id })),
    ).toBe('not_found');
    expect(
      errorCode(
        await call(lk, fresh, 'POST', `${base(org)}/invitations`, {
          email: `late${n}@roles.test`,
          roleId: role.id,
        }),
      ),
    ).toBe('not_found');
    expect(errorCode(await call(lk, fresh, 'DELETE', `${base(org)}/roles/${role.id}`))).toBe('not_found');
    const again = await call(lk, fresh, 'POST', `${base(org)}/roles`, { name: role.name, permissions: [] });
    expect(again.statusCode, again.body).toBe(201);

    // The history keeps its meaning: the expired invitation and the audit trail still name the role.
    const listed = (await call(lk, fresh, 'GET', `${base(org)}/invitations`)).json().items;
    expect(listed.find((i: { id: string }) => i.id === expired.invitation.id)).toMatchObject({
      roleId: role.id,
      roleName: role.name,
      status: 'expired',
    });
    const audit = (await call(lk, fresh, 'GET', `${base(org)}/audit-log?targetId=${role.id}`)).json().items;
    expect(audit.map((e: { action: string }) => e.action)).toEqual(['role.delete', 'role.create']);
    expect(audit[0].before).toMatchObject({ id: role.id, name: role.name });
    const acceptEntry = (
      await call(lk, fresh, 'GET', `${base(org)}/audit-log?action=invitation.accept`)
    ).json().items[0];
    expect(acceptEntry.after).toMatchObject({ roleId: role.id, roleName: role.name });
  });

  it('a role nothing ever referenced is deleted as before', async () => {
    const { org, owner, role } = await setup();
    expect((await call(lk, owner, 'DELETE', `${base(org)}/roles/${role.id}`)).statusCode).toBe(204);
    const rows = await sql<{
      n: number | string;
    }>`select count(*) as n from roles where id = ${role.id} and deleted_at is null`.execute(lk.handle.db);
    expect(Number(rows.rows[0]!.n)).toBe(0);
  });
});
