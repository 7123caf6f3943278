import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addMember,
  call,
  createOrg,
  createServiceAccount,
  errorCode,
  login,
  PASSWORD,
  roleId,
  startInstance,
  testClock,
  type Org,
  type TestInstance,
} from '../helpers/harness.js';

const clock = testClock();
let lk: TestInstance;
let org: Org;
beforeAll(async () => {
  lk = await startInstance({}, { clock });
  org = await createOrg(lk);
});
afterAll(() => lk.close());

const base = (o: Org) => `/api/v1/orgs/${o.slug}`;
let n = 0;
const email = () => `person${++n}@members.test`;

describe('rule 17: invitations', () => {
  it('an invitation is a single-use link that signs the invitee up', async () => {
    const owner = await login(lk, org.ownerEmail);
    const who = email();
    const res = await call(lk, owner, 'POST', `${base(org)}/invitations`, {
      email: who,
      roleId: await roleId(lk, org, 'Viewer'),
    });
    expect(res.statusCode, res.body).toBe(201);
    const { token, link, invitation } = res.json();
    expect(link).toBe(`${lk.config.publicUrl}/accept-invite#token=${token}`);
    expect(invitation).toMatchObject({ email: who, roleName: 'Viewer', status: 'pending' });
    const listed = (await call(lk, owner, 'GET', `${base(org)}/invitations`)).json().items;
    expect(listed.map((i: { id: string }) => i.id)).toContain(invitation.id);
    expect(JSON.stringify(listed)).not.toContain(token);

    const accept = await lk.app.inject({
      method: 'POST',
      url: '/api/v1/invitations/accept',
      payload: { token, name: 'New Person', password: PASSWORD },
    });
    expect(accept.statusCode, accept.body).toBe(202);
    expect(accept.json()).toEqual({ next: 'sign_in', email: who });
    // The accept call never hands out a session: the newcomer signs in like everyone else.
    expect(accept.cookies.some((c) => c.name === 'latchkey_session')).toBe(false);
    await login(lk, who);
    const again = await lk.app.inject({
      method: 'POST',
      url: '/api/v1/invitations/accept',
      payload: { token, name: 'Again', password: PASSWORD },
    });
    expect(errorCode(again)).toBe('invitation_invalid');
    const members = (await call(lk, owner, 'GET', `${base(org)}/members`)).json().items;
    expect(members.map((m: { email: string }) => m.email)).toContain(who);
  });

  it('an existing user accepts signed in, with their session', async () => {
    const other = await createOrg(lk);
    const owner = await login(lk, other.ownerEmail);
    const inv = await call(lk, owner, 'POST', `${base(other)}/invitations`, {
      email: org.ownerEmail,
      roleId: await roleId(lk, other, 'Admin'),
    });
    const { token } = inv.json();
    const invitee = await login(lk, org.ownerEmail);
    const right = await call(lk, invitee, 'POST', '/api/v1/invitations/accept', { token });
    expect(right.statusCode, right.body).toBe(200);
    expect(right.json()).toEqual({ orgId: other.id });
    const me = (await call(lk, invitee, 'GET', '/api/v1/me')).json();
    expect(me.orgs.map((o: { slug: string }) => o.slug).sort()).toEqual([org.slug, other.slug].sort());
  });

  it('expires, and can be revoked', async () => {
    const owner = await login(lk, org.ownerEmail);
    const viewer = await roleId(lk, org, 'Viewer');
    const expiring = (
      await call(lk, owner, 'POST', `${base(org)}/invitations`, { email: email(), roleId: viewer })
    ).json();
    clock.advance(lk.config.invitationTtlHours * 3_600_000 + 1000);
    const late = await lk.app.inject({
      method: 'POST',
      url: '/api/v1/invitations/accept',
      payload: { token: expiring.token, name: 'Late', password: PASSWORD },
    });
    expect(errorCode(late)).toBe('invitation_invalid');

    const fresh = await login(lk, org.ownerEmail); // the clock jump expired the earlier session too
    const revoked = (
      await call(lk, fresh, 'POST', `${base(org)}/invitations`, { email: email(), roleId: viewer })
    ).json();
    expect(
      (await call(lk, fresh, 'DELETE', `${base(org)}/invitations/${revoked.invitation.id}`)).statusCode,
    ).toBe(204);
    const use = await lk.app.inject({
      method: 'POST',
      url: '/api/v1/invitations/accept',
      payload: { token: revoked.token, name: 'Nope', password: PASSWORD },
    });
    expect(errorCode(use)).toBe('invitation_invalid');
  });

  it('refuses inviting an existing member, and roles the inviter does not hold', async () => {
    const owner = await login(lk, org.ownerEmail);
    const dup = await call(lk, owner, 'POST', `${base(org)}/invitations`, {
      email: org.ownerEmail,
      roleId: await roleId(lk, org, 'Viewer'),
    });
    expect(errorCode(dup)).toBe('already_member');
    // The Admin token cannot hand out Owner (it lacks org_settings:edit).
    const esc = await call(lk, org.admin, 'POST', `${base(org)}/invitations`, {
      email: email(),
      roleId: await roleId(lk, org, 'Owner'),
    });
    expect(errorCode(esc)).toBe('permission_escalation');
  });
});

describe('rule 18: members who own tokens cannot be removed', () => {
  it('refusal lists the tokens and says to reassign; after reassigning, removal succeeds and access ends at once', async () => {
    const m = await addMember(lk, org, email(), 'Admin');
    const owner = await login(lk, org.ownerEmail);
    const imp = await call(lk, owner, 'POST', `${base(org)}/tokens/import`, {
      tokens: [
        {
          ownerEmail: (await call(lk, owner, 'GET', `${base(org)}/members`))
            .json()
            .items.find((x: { userId: string }) => x.userId === m.userId).email,
          name: 'old key',
          type: 'private',
          value: `legacy-key-${Date.now()}`,
        },
      ],
    });
    expect(imp.statusCode, imp.body).toBe(201);
    const tokenId = imp.json().rows[0].tokenId;

    const refused = await call(lk, owner, 'DELETE', `${base(org)}/members/${m.userId}`);
    expect(refused.statusCode).toBe(409);
    expect(errorCode(refused)).toBe('member_owns_tokens');
    expect(refused.json().error.message).toMatch(/reassign/i);
    expect(refused.json().error.details.tokens).toEqual([
      expect.objectContaining({ id: tokenId, name: 'old key' }),
    ]);
    expect((await call(lk, m.caller, 'GET', `${base(org)}/tokens`)).statusCode).toBe(200);

    const sa = await createServiceAccount(lk, org, `inherit-${n}`, {
      roleId: await roleId(lk, org, 'Admin'),
    });
    expect(
      (await call(lk, owner, 'POST', `${base(org)}/tokens/${tokenId}/reassign`, { serviceAccountId: sa.id }))
        .statusCode,
    ).toBe(200);
    const removed = await call(lk, owner, 'DELETE', `${base(org)}/members/${m.userId}`);
    expect(removed.statusCode, removed.body).toBe(204);
    // Their existing session no longer reaches the org: it has been ended.
    expect((await call(lk, m.caller, 'GET', `${base(org)}/tokens`)).statusCode).toBe(401);
  });

  it('a member may leave on their own once they own no tokens', async () => {
    const m = await addMember(lk, org, email(), 'Viewer');
    expect((await call(lk, m.caller, 'DELETE', `${base(org)}/members/${m.userId}`)).statusCode).toBe(204);
  });
});

describe('rule 19: the last owner', () => {
  it('cannot be removed or demoted; with a second owner, can', async () => {
    const o = await createOrg(lk);
    const owner = await login(lk, o.ownerEmail);
    const viewer = await roleId(lk, o, 'Viewer');
    const demote = await call(lk, owner, 'PATCH', `${base(o)}/members/${o.ownerId}`, { roleId: viewer });
    expect(errorCode(demote)).toBe('last_owner');
    const remove = await call(lk, owner, 'DELETE', `${base(o)}/members/${o.ownerId}`);
    expect(errorCode(remove)).toBe('last_owner');
    const second = await addMember(lk, o, email(), 'Viewer');
    expect(
      (
        await call(lk, owner, 'PATCH', `${base(o)}/members/${second.userId}`, {
          roleId: await roleId(lk, o, 'Owner'),
        })
      ).statusCode,
    ).toBe(200);
    expect(
      (await call(lk, owner, 'PATCH', `${base(o)}/members/${o.ownerId}`, { roleId: viewer })).statusCode,
    ).toBe(200);
  });

  it('an Admin cannot demote or remove an Owner', async () => {
    const o = await createOrg(lk);
    const admin = await addMember(lk, o, email(), 'Admin');
    expect(errorCode(await call(lk, admin.caller, 'DELETE', `${base(o)}/members/${o.ownerId}`))).toBe(
      'permission_escalation',
    );
    expect(
      errorCode(
        await call(lk, admin.caller, 'PATCH', `${base(o)}/members/${o.ownerId}`, {
          roleId: await roleId(lk, o, 'Viewer'),
        }),
      ),
    ).toBe('permission_escalation');
  });
});

describe('rule 20: edit needs the edit permission, listing needs view', () => {
  it('a Viewer can list but not change members, roles, service accounts, tokens or settings', async () => {
    const v = await addMember(lk, org, email(), 'Viewer');
    for (const path of [
      '/members',
      '/roles',
      '/service-accounts',
      '/tokens',
      '/invitations',
      '/audit-log',
      '',
    ]) {
      expect((await call(lk, v.caller, 'GET', `${base(org)}${path}`)).statusCode, path).toBe(200);
    }
    const writes: [string, string, unknown][] = [
      ['POST', '/service-accounts', { name: 'nope' }],
      ['POST', '/tokens', { name: 'n', type: 'private' }],
      ['POST', '/roles', { name: 'R', permissions: [] }],
      ['POST', '/invitations', { email: 'x@y.test', roleId: await roleId(lk, org, 'Viewer') }],
      ['PATCH', '', { name: 'renamed' }],
      ['PATCH', `/members/${org.ownerId}`, { roleId: await roleId(lk, org, 'Viewer') }],
    ];
    for (const [method, path, body] of writes) {
      const res = await call(lk, v.caller, method as 'POST', `${base(org)}${path}`, body);
      expect(res.statusCode, `${method} ${path}`).toBe(403);
      expect(errorCode(res)).toBe('forbidden');
    }
  });

  it('a custom role with no audit_log:view cannot read the audit log', async () => {
    const r = await call(lk, org.admin, 'POST', `${base(org)}/roles`, {
      name: `Narrow ${n}`,
      permissions: ['tokens:view'],
    });
    const m = await addMember(lk, org, email(), 'Viewer');
    const owner = await login(lk, org.ownerEmail);
    await call(lk, owner, 'PATCH', `${base(org)}/members/${m.userId}`, { roleId: r.json().id });
    expect((await call(lk, m.caller, 'GET', `${base(org)}/tokens`)).statusCode).toBe(200);
    expect((await call(lk, m.caller, 'GET', `${base(org)}/audit-log`)).statusCode).toBe(403);
  });
});

describe('roles', () => {
  it('built-in roles cannot be changed or deleted; a role in use cannot be deleted; unknown permissions are refused', async () => {
    const owner = await login(lk, org.ownerEmail);
    const viewer = await roleId(lk, org, 'Viewer');
    expect(
      errorCode(await call(lk, owner, 'PATCH', `${base(org)}/roles/${viewer}`, { permissions: [] })),
    ).toBe('builtin_role');
    expect(errorCode(await call(lk, owner, 'DELETE', `${base(org)}/roles/${viewer}`))).toBe('builtin_role');
    expect(
      errorCode(
        await call(lk, owner, 'POST', `${base(org)}/roles`, {
          name: 'Bad',
          permissions: ['spaceships:view'],
        }),
      ),
    ).toBe('invalid_permission');
    expect(
      errorCode(await call(lk, owner, 'POST', `${base(org)}/roles`, { name: 'admin', permissions: [] })),
    ).toBe('name_taken');
    const role = (
      await call(lk, owner, 'POST', `${base(org)}/roles`, { name: 'In use', permissions: ['assets:view'] })
    ).json();
    await createServiceAccount(lk, org, `holder-${n}`, { roleId: role.id });
    expect(errorCode(await call(lk, owner, 'DELETE', `${base(org)}/roles/${role.id}`))).toBe('role_in_use');
    const unused = (
      await call(lk, owner, 'POST', `${base(org)}/roles`, { name: 'Unused', permissions: ['assets:edit'] })
    ).json();
    expect(unused.permissions).toEqual(['assets:edit', 'assets:view']);
    expect((await call(lk, owner, 'DELETE', `${base(org)}/roles/${unused.id}`)).statusCode).toBe(204);
  });
});
