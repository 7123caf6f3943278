import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addMember,
  call,
  createOrg,
  createServiceAccount,
  createToken,
  login,
  PASSWORD,
  startInstance,
  type Caller,
  type Org,
  type TestInstance,
} from '../helpers/harness.js';

let lk: TestInstance;
let a: Org;
let b: Org;
const ids: Record<string, string> = {};
beforeAll(async () => {
  lk = await startInstance();
  a = await createOrg(lk, 'tenant-a');
  b = await createOrg(lk, 'tenant-b');
  const sa = await createServiceAccount(lk, a, 'a-account');
  ids.sa = sa.id;
  ids.token = (await createToken(lk, a, { serviceAccountId: sa.id })).item.id;
  ids.member = (await addMember(lk, a, 'member@tenant-a.test', 'Viewer')).userId;
  const ownerA = await login(lk, a.ownerEmail);
  ids.role = (
    await call(lk, ownerA, 'POST', `/api/v1/orgs/${a.slug}/roles`, {
      name: 'A role',
      permissions: ['assets:view'],
    })
  ).json().id;
  ids.invitation = (
    await call(lk, ownerA, 'POST', `/api/v1/orgs/${a.slug}/invitations`, {
      email: 'later@tenant-a.test',
      roleId: ids.role,
    })
  ).json().invitation.id;
});
afterAll(() => lk.close());

/** Every id-bearing (and org-bearing) route of org A, as B's admin would try it. */
function routes(org: string): [string, 'GET' | 'POST' | 'PATCH' | 'DELETE', string, unknown?][] {
  const o = `/api/v1/orgs/${org}`;
  return [
    ['org', 'GET', o],
    ['org settings', 'PATCH', o, { name: 'pwned' }],
    ['members', 'GET', `${o}/members`],
    ['member role', 'PATCH', `${o}/members/${ids.member}`, { roleId: ids.role }],
    ['member remove', 'DELETE', `${o}/members/${ids.member}`],
    ['invitations', 'GET', `${o}/invitations`],
    ['invite', 'POST', `${o}/invitations`, { email: 'x@y.test', roleId: ids.role }],
    ['invitation revoke', 'DELETE', `${o}/invitations/${ids.invitation}`],
    ['roles', 'GET', `${o}/roles`],
    ['role create', 'POST', `${o}/roles`, { name: 'X', permissions: [] }],
    ['role update', 'PATCH', `${o}/roles/${ids.role}`, { name: 'Y' }],
    ['role delete', 'DELETE', `${o}/roles/${ids.role}`],
    ['service accounts', 'GET', `${o}/service-accounts`],
    ['service account create', 'POST', `${o}/service-accounts`, { name: 'intruder' }],
    ['service account get', 'GET', `${o}/service-accounts/${ids.sa}`],
    ['service account update', 'PATCH', `${o}/service-accounts/${ids.sa}`, { disabled: true }],
    ['service account delete', 'DELETE', `${o}/service-accounts/${ids.sa}?revokeTokens=true`],
    ['tokens', 'GET', `${o}/tokens`],
    ['token create', 'POST', `${o}/tokens`, { name: 't', type: 'private', serviceAccountId: ids.sa }],
    ['token get', 'GET', `${o}/tokens/${ids.token}`],
    ['token update', 'PATCH', `${o}/tokens/${ids.token}`, { name: 'x' }],
    ['token revoke', 'DELETE', `${o}/tokens/${ids.token}`],
    ['token reassign', 'POST', `${o}/tokens/${ids.token}/reassign`, { serviceAccountId: ids.sa }],
    ['token rotate', 'POST', `${o}/tokens/${ids.token}/rotate`, { retire: 'now' }],
    ['token suspend', 'POST', `${o}/tokens/${ids.token}/suspend`, {}],
    ['token report-leak', 'POST', `${o}/tokens/${ids.token}/report-leak`, {}],
    ['token report', 'GET', `${o}/tokens/report`],
    ['token bulk', 'POST', `${o}/tokens/bulk`, { action: 'revoke', ids: [ids.token] }],
    [
      'token import',
      'POST',
      `${o}/tokens/import`,
      {
        tokens: [
          { ownerEmail: 'member@tenant-a.test', name: 'x', type: 'private', value: 'legacy-value-xyz' },
        ],
      },
    ],
    ['audit log', 'GET', `${o}/audit-log`],
  ];
}

describe("another org's admin gets 404 on every route of this org, by slug or id", () => {
  const callers: [string, () => Promise<Caller>][] = [
    ["B's owner session", () => login(lk, b.ownerEmail, PASSWORD)],
    ["B's admin token", () => Promise.resolve(b.admin)],
  ];
  for (const [who, caller] of callers) {
    it(who, async () => {
      const c = await caller();
      const before = (await call(lk, a.admin, 'GET', `/api/v1/orgs/${a.slug}/audit-log?limit=200`)).body;
      for (const key of ['slug', 'id'] as const) {
        for (const [label, method, url, body] of routes(key === 'slug' ? a.slug : a.id)) {
          const res = await call(lk, c, method, url, body);
          expect(res.statusCode, `${label} (${key}): ${res.body}`).toBe(404);
          expect(res.body).not.toContain(a.id);
          expect(res.body).not.toContain(ids.sa);
        }
      }
      expect((await call(lk, a.admin, 'GET', `/api/v1/orgs/${a.slug}/audit-log?limit=200`)).body).toBe(
        before,
      );
    });
  }

  it("A's ids under B's path are 404 too", async () => {
    const o = `/api/v1/orgs/${b.slug}`;
    for (const [method, url] of [
      ['GET', `${o}/tokens/${ids.token}`],
      ['GET', `${o}/service-accounts/${ids.sa}`],
      ['DELETE', `${o}/tokens/${ids.token}`],
      ['PATCH', `${o}/members/${ids.member}`],
      ['DELETE', `${o}/roles/${ids.role}`],
    ] as const) {
      const res = await call(lk, b.admin, method, url, method === 'PATCH' ? { roleId: ids.role } : undefined);
      expect(res.statusCode, `${method} ${url}`).toBe(404);
    }
    expect((await call(lk, a.admin, 'GET', `/api/v1/orgs/${a.slug}/tokens/${ids.token}`)).json().status).toBe(
      'active',
    );
  });

  it('an org that does not exist looks the same as one you cannot see', async () => {
    const missing = await call(lk, b.admin, 'GET', '/api/v1/orgs/no-such-org/tokens');
    const hidden = await call(lk, b.admin, 'GET', `/api/v1/orgs/${a.slug}/tokens`);
    expect(missing.statusCode).toBe(404);
    expect(hidden.json().error.code).toBe(missing.json().error.code);
    expect(hidden.json().error.message).toBe(missing.json().error.message);
  });
});
