import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startInstance, type TestInstance } from '../helpers/harness.js';

let lk: TestInstance;
beforeAll(async () => {
  lk = await startInstance();
});
afterAll(() => lk.close());

const apiRoutes = () =>
  lk.app.routeTable.filter(
    (r) =>
      String(r.url).startsWith('/api/v1/') &&
      r.url !== '/api/v1/openapi.json' &&
      !(r.method === 'HEAD' || (Array.isArray(r.method) && r.method.includes('HEAD'))),
  );

describe('the route table', () => {
  it('has the management, auth and verify routes the spec names', () => {
    const table = new Set(apiRoutes().map((r) => `${String(r.method)} ${r.url}`));
    for (const route of [
      'POST /api/v1/auth/login',
      'POST /api/v1/auth/logout',
      'GET /api/v1/me',
      'GET /api/v1/orgs',
      'POST /api/v1/orgs',
      'GET /api/v1/orgs/:org',
      'PATCH /api/v1/orgs/:org',
      'GET /api/v1/orgs/:org/members',
      'PATCH /api/v1/orgs/:org/members/:userId',
      'DELETE /api/v1/orgs/:org/members/:userId',
      'GET /api/v1/orgs/:org/invitations',
      'POST /api/v1/orgs/:org/invitations',
      'DELETE /api/v1/orgs/:org/invitations/:id',
      'POST /api/v1/invitations/accept',
      'GET /api/v1/orgs/:org/roles',
      'POST /api/v1/orgs/:org/roles',
      'PATCH /api/v1/orgs/:org/roles/:id',
      'DELETE /api/v1/orgs/:org/roles/:id',
      'GET /api/v1/orgs/:org/service-accounts',
      'POST /api/v1/orgs/:org/service-accounts',
      'GET /api/v1/orgs/:org/service-accounts/:id',
      'PATCH /api/v1/orgs/:org/service-accounts/:id',
      'DELETE /api/v1/orgs/:org/service-accounts/:id',
      'GET /api/v1/orgs/:org/tokens',
      'POST /api/v1/orgs/:org/tokens',
      'GET /api/v1/orgs/:org/tokens/:id',
      'PATCH /api/v1/orgs/:org/tokens/:id',
      'DELETE /api/v1/orgs/:org/tokens/:id',
      'POST /api/v1/orgs/:org/tokens/:id/reassign',
      'POST /api/v1/orgs/:org/tokens/import',
      'GET /api/v1/orgs/:org/audit-log',
      'POST /api/v1/verify',
    ]) {
      expect(table, route).toContain(route);
    }
  });

  it('every API route declares a success response and the error envelope for what it can refuse', () => {
    for (const r of apiRoutes()) {
      const name = `${String(r.method)} ${r.url}`;
      const responses = (r.schema?.response ?? {}) as Record<string, unknown>;
      const statuses = Object.keys(responses).map(Number);
      expect(
        statuses.some((s) => s >= 200 && s < 300),
        `${name} has no 2xx schema`,
      ).toBe(true);
      const auth = r.config?.auth ?? 'none';
      if (auth !== 'none') expect(statuses, `${name} must declare 401`).toContain(401);
      if (r.url.includes(':org')) {
        expect(statuses, `${name} must declare 403 and 404`).toEqual(expect.arrayContaining([403, 404]));
        expect(r.config?.permission, `${name} must name the permission it needs`).toMatch(
          /^[a-z_]+:(view|edit)$/,
        );
      }
      if (r.schema?.body || r.schema?.querystring || r.schema?.params)
        expect(statuses, `${name} must declare 400`).toContain(400);
    }
  });

  it('every org write needs an edit permission and every org read a view permission', () => {
    // Reads sent as POST so that what they carry stays out of URLs (a pasted token value): listed one by one.
    const POST_READS = new Set(['POST /api/v1/orgs/:org/tokens/find']);
    for (const r of apiRoutes().filter((x) => x.url.includes(':org'))) {
      const perm = String(r.config?.permission);
      const read = r.method === 'GET' || POST_READS.has(`${String(r.method)} ${r.url}`);
      expect(perm.endsWith(read ? ':view' : ':edit'), `${String(r.method)} ${r.url} → ${perm}`).toBe(true);
    }
  });

  it('serves the OpenAPI document with every API route, and interactive docs', async () => {
    const res = await lk.app.inject({ method: 'GET', url: '/api/v1/openapi.json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json() as { openapi: string; paths: Record<string, Record<string, unknown>> };
    expect(doc.openapi).toMatch(/^3\./);
    for (const r of apiRoutes()) {
      const path = r.url.replace(/:([A-Za-z]+)/g, '{$1}');
      expect(doc.paths[path]?.[String(r.method).toLowerCase()], `${String(r.method)} ${path}`).toBeDefined();
    }
    const docs = await lk.app.inject({ method: 'GET', url: '/docs/' });
    expect(docs.statusCode).toBe(200);
    expect(docs.headers['content-type']).toMatch(/text\/html/);
  });

  it('answers /healthz and /readyz', async () => {
    expect((await lk.app.inject({ method: 'GET', url: '/healthz' })).json()).toEqual({ status: 'ok' });
    expect((await lk.app.inject({ method: 'GET', url: '/readyz' })).json()).toMatchObject({
      status: 'ready',
      invalidationFeed: lk.handle.dialect === 'postgres' ? expect.any(String) : 'local',
    });
  });
});
