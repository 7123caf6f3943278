import type { RouteOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grants } from '../../src/domain/permissions.js';
import {
  addMember,
  bearer,
  call,
  createOrg,
  createServiceAccount,
  createToken,
  login,
  roleId,
  type Caller,
  type Org,
  startInstance,
  type TestInstance,
} from '../helpers/harness.js';

/**
 * The isolation and role matrix, generated from the route table itself: every org-scoped management route ×
 * every kind of caller. A new route is covered automatically; a route whose path parameters the matrix
 * cannot fill fails the test.
 */
let lk: TestInstance;
let a: Org;
let b: Org;
const ids: Record<string, string> = {};
const callers: Record<string, Caller> = {};

beforeAll(async () => {
  lk = await startInstance();
  a = await createOrg(lk, 'matrix-a');
  b = await createOrg(lk, 'matrix-b');
  const sa = await createServiceAccount(lk, a, 'matrix-sa');
  ids.sa = sa.id;
  ids.token = (await createToken(lk, a, { serviceAccountId: sa.id })).item.id;
  ids.role = await roleId(lk, a, 'Viewer');
  const member = await addMember(lk, a, 'viewer@matrix-a.test', 'Viewer');
  ids.member = member.userId;
  const ownerA = await login(lk, a.ownerEmail);
  ids.invitation = (
    await call(lk, ownerA, 'POST', `/api/v1/orgs/${a.slug}/invitations`, {
      email: 'later@matrix-a.test',
      roleId: ids.role,
    })
  ).json().invitation.id;
  const adminMember = await addMember(lk, a, 'admin@matrix-a.test', 'Admin');
  const endpoint = (
    await call(lk, ownerA, 'POST', `/api/v1/orgs/${a.slug}/webhook-endpoints`, {
      url: 'https://hooks.matrix-a.test/latchkey',
      eventTypes: ['token.created'],
    })
  ).json();
  ids.webhookEndpoint = endpoint.id;
  ids.webhookDelivery = (
    await call(lk, ownerA, 'POST', `/api/v1/orgs/${a.slug}/webhook-endpoints/${endpoint.id}/test`)
  ).json().id;
  const pub = await createToken(lk, a, {
    serviceAccountId: sa.id,
    type: 'public',
    domains: ['https://a.example.com'],
  });
  const empty = (
    await call(lk, ownerA, 'POST', `/api/v1/orgs/${a.slug}/roles`, { name: 'Nothing', permissions: [] })
  ).json();
  const nothingSa = await createServiceAccount(lk, a, 'nothing-sa', { roleId: empty.id });
  Object.assign(callers, {
    owner: ownerA,
    admin: adminMember.caller,
    viewer: member.caller,
    otherOwnerSession: await login(lk, b.ownerEmail),
    otherOrgToken: b.admin,
    publicToken: bearer(pub.token),
    tokenWithoutPermissions: bearer((await createToken(lk, a, { serviceAccountId: nothingSa.id })).token),
  });
});
afterAll(() => lk.close());

const orgRoutes = () =>
  lk.app.routeTable.filter((r) => String(r.url).includes(':org') && r.method !== 'HEAD') as (RouteOptions & {
    url: string;
    method: string;
  })[];

/** The route's URL in org A, with real ids — or, with `dummy`, ids of the right shape that exist nowhere. */
function fill(route: { url: string }, dummy = false): string {
  const pick = (real: string, prefix: string) => (dummy ? `${prefix}_${'0'.repeat(20)}` : real);
  return route.url.replace(/:([A-Za-z]+)/g, (_m, name: string) => {
    if (name === 'org') return a.slug;
    if (name === 'userId') return pick(ids.member!, 'usr');
    if (name === 'deliveryId') return pick(ids.webhookDelivery!, 'whd');
    if (name === 'id') {
      if (route.url.includes('/webhook-endpoints/')) return pick(ids.webhookEndpoint!, 'whe');
      if (route.url.includes('/tokens/')) return pick(ids.token!, 'tok');
      if (route.url.includes('/roles/')) return pick(ids.role!, 'rol');
      if (route.url.includes('/service-accounts/')) return pick(ids.sa!, 'sa');
      if (route.url.includes('/invitations/')) return pick(ids.invitation!, 'inv');
    }
    throw new Error(`the isolation matrix cannot fill :${name} in ${route.url}: teach it this route`);
  });
}

const BUILTIN: Record<string, string[]> = {};
async function permissionsOf(role: 'Owner' | 'Admin' | 'Viewer'): Promise<string[]> {
  BUILTIN[role] ??= (await call(lk, callers.owner!, 'GET', `/api/v1/orgs/${a.slug}/roles`))
    .json()
    .items.find((r: { name: string }) => r.name === role).permissions;
  return BUILTIN[role]!;
}

describe('isolation matrix (every org route)', () => {
  it('covers every org-scoped route in the table', () => {
    const routes = orgRoutes();
    expect(routes.length).toBeGreaterThanOrEqual(26);
    for (const r of routes) expect(() => fill(r)).not.toThrow();
  });

  it.each([
    ['no credentials', null, 401],
    ["another org's owner (session)", 'otherOwnerSession', 404],
    ["another org's private token", 'otherOrgToken', 404],
    ['a public token', 'publicToken', 401],
  ] as const)('%s → %s on every route, and never a byte of the org', async (_label, who, expected) => {
    for (const r of orgRoutes()) {
      const res = await call(
        lk,
        who ? callers[who]! : null,
        r.method as 'GET',
        fill(r),
        r.method === 'GET' || r.method === 'DELETE' ? undefined : {},
      );
      expect(res.statusCode, `${r.method} ${r.url}: ${res.body}`).toBe(expected);
      expect(res.body).not.toContain(a.id);
      expect(res.body).not.toContain(ids.sa!);
      expect(res.body).not.toContain(ids.token!);
    }
  });

  it('a token of this org without the permission → 403 on every route that needs one', async () => {
    for (const r of orgRoutes()) {
      const res = await call(
        lk,
        callers.tokenWithoutPermissions!,
        r.method as 'GET',
        fill(r),
        r.method === 'GET' || r.method === 'DELETE' ? undefined : {},
      );
      // A private token may rotate itself (allowSelfToken): it gets past to validation of the empty body.
      expect(res.statusCode, `${r.method} ${r.url}`).toBe(r.config?.allowSelfToken ? 400 : 403);
    }
  });
});

describe('role matrix (built-in roles × every route, from the permission each route declares)', () => {
  it.each(['owner', 'admin', 'viewer'] as const)(
    '%s: 403 exactly where the role lacks the permission',
    async (who) => {
      const role = ({ owner: 'Owner', admin: 'Admin', viewer: 'Viewer' } as const)[who];
      const held = await permissionsOf(role);
      for (const r of orgRoutes()) {
        const permission = String(r.config?.permission);
        const allowed = grants(held, permission);
        const name = `${role} ${r.method} ${r.url}`;
        if (r.method === 'GET') {
          const res = await call(lk, callers[who]!, 'GET', fill(r));
          expect(res.statusCode, `${name}: ${res.body}`).toBe(allowed ? 200 : 403);
          continue;
        }
        // Writes: ids that exist nowhere and an empty body, so nothing changes. Authorisation runs first:
        // a role without the permission gets 403; with it, the request gets past into validation (400) or
        // the object lookup (404 for the missing object — never "Org not found").
        const res = await call(
          lk,
          callers[who]!,
          r.method as 'POST',
          fill(r, true),
          r.method === 'DELETE' ? undefined : {},
        );
        if (!allowed) {
          expect(res.statusCode, name).toBe(403);
        } else {
          expect([400, 404], `${name}: ${res.body}`).toContain(res.statusCode);
          expect(res.body, name).not.toContain('Org not found');
        }
      }
    },
  );
});

describe('role matrix by permission (custom roles, members and service-account tokens)', () => {
  it('each resource:view|edit opens exactly the routes it gates, for a member and for a token', async () => {
    const catalog = (await call(lk, callers.owner!, 'GET', `/api/v1/orgs/${a.slug}/roles`)).json()
      .catalog as { resources: string[] };
    const latchkeyResources = [
      'members',
      'roles',
      'service_accounts',
      'tokens',
      'org_settings',
      'audit_log',
      'webhook_endpoints',
    ];
    expect(catalog.resources).toEqual(expect.arrayContaining(latchkeyResources));
    let i = 0;
    for (const resource of latchkeyResources) {
      for (const action of ['view', 'edit'] as const) {
        const permission = `${resource}:${action}`;
        const role = (
          await call(lk, callers.owner!, 'POST', `/api/v1/orgs/${a.slug}/roles`, {
            name: `Only ${resource} ${action}`,
            permissions: [permission],
          })
        ).json();
        // The owner creates them: an Admin could not hand out org_settings:edit (escalation).
        const sa = (
          await call(lk, callers.owner!, 'POST', `/api/v1/orgs/${a.slug}/service-accounts`, {
            name: `only-${i}`,
            roleId: role.id,
          })
        ).json();
        const member = await addMember(lk, a, `only-${i}@matrix-a.test`, 'Viewer');
        const changed = await call(
          lk,
          callers.owner!,
          'PATCH',
          `/api/v1/orgs/${a.slug}/members/${member.userId}`,
          { roleId: role.id },
        );
        expect(changed.statusCode, changed.body).toBe(200);
        i += 1;
        const viaToken = bearer(
          (
            await call(lk, callers.owner!, 'POST', `/api/v1/orgs/${a.slug}/tokens`, {
              name: 'only',
              type: 'private',
              serviceAccountId: sa.id,
            })
          ).json().token,
        );
        for (const [who, caller] of [
          ['member', member.caller],
          ['token', viaToken],
        ] as const) {
          for (const r of orgRoutes()) {
            const needed = String(r.config?.permission);
            const allowed = grants([permission, ...(action === 'edit' ? [`${resource}:view`] : [])], needed);
            const res =
              r.method === 'GET'
                ? await call(lk, caller, 'GET', fill(r))
                : await call(
                    lk,
                    caller,
                    r.method as 'POST',
                    fill(r, true),
                    r.method === 'DELETE' ? undefined : {},
                  );
            const name = `${permission} (${who}) ${r.method} ${r.url}: ${res.body.slice(0, 120)}`;
            if (allowed) expect(res.statusCode, name).not.toBe(403);
            else if (r.config?.allowSelfToken && who === 'token') expect(res.statusCode, name).toBe(400);
            else if (!(r.config?.allowSelf && fill(r, true).includes(member.userId)))
              expect(res.statusCode, name).toBe(403);
          }
        }
      }
    }
  }, 120_000);
});
