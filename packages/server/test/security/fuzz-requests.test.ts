import fc from 'fast-check';
import type { RouteOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrg, login, startInstance, type Caller, type Org, type TestInstance } from '../helpers/harness.js';

/**
 * Hostile and random input against every route: bodies, query strings and path values drawn by fast-check.
 * Never a 5xx, never a crash, and the verify path never answers valid for a value nobody issued.
 */
let lk: TestInstance;
let org: Org;
let owner: Caller;
beforeAll(async () => {
  lk = await startInstance();
  org = await createOrg(lk);
  owner = await login(lk, org.ownerEmail);
});
afterAll(() => lk.close());

const json = fc.jsonValue({ maxDepth: 3 });
const hostileString = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 300 }),
  fc.constantFrom('', 'null', '__proto__', '*', '../../etc/passwd', "' or 1=1 --", 'lk_prv_' + 'A'.repeat(38), 'x'.repeat(5000), '%00', '\u202e'),
);
const bodyArb = fc.oneof(json, fc.dictionary(fc.constantFrom('name', 'type', 'domains', 'permissions', 'serviceAccountId', 'roleId', 'email', 'expiresAt', 'tokens', 'dryRun', 'disabled', 'maxTokenLifetimeDays', 'description', '__proto__', 'constructor'), fc.oneof(json, hostileString)));

describe('fuzzing every management route', () => {
  it('never answers 5xx to random bodies, query strings and path values', async () => {
    const routes = lk.app.routeTable.filter((r) => String(r.url).startsWith('/api/v1/') && r.method !== 'HEAD') as (RouteOptions & { url: string; method: string })[];
    for (const r of routes) {
      const method = (Array.isArray(r.method) ? r.method[0] : r.method) as string;
      await fc.assert(
        fc.asyncProperty(bodyArb, hostileString, hostileString, async (body, query, pathValue) => {
          const path = r.url.replace(':org', org.slug).replace(/:[A-Za-z]+/g, encodeURIComponent(pathValue) || 'x');
          const res = await lk.app.inject({
            method: method as 'POST',
            url: `${path}?q=${encodeURIComponent(query)}&limit=${encodeURIComponent(query)}&cursor=${encodeURIComponent(query)}`,
            headers: owner.headers,
            ...(method === 'GET' || method === 'DELETE' || method === 'OPTIONS' ? {} : { payload: JSON.stringify(body), headers: { ...owner.headers, 'content-type': 'application/json' } }),
          });
          expect(res.statusCode, `${method} ${r.url} → ${res.statusCode}: ${res.body.slice(0, 200)}`).toBeLessThan(500);
          if (res.statusCode >= 400 && r.url !== '/api/v1/forward-auth') expect(JSON.parse(res.body || '{}').error?.code ?? 'none').toMatch(/^[a-z_]+$/);
        }),
        { numRuns: 25 },
      );
    }
  });

  it('the verify path never allows a value nobody issued, whatever the origin or permission', async () => {
    await fc.assert(
      fc.asyncProperty(hostileString, fc.option(hostileString), fc.option(fc.string({ maxLength: 40 })), async (token, origin, permission) => {
        const res = await lk.app.inject({ method: 'POST', url: '/api/v1/verify', payload: { token, ...(origin !== null ? { origin } : {}), ...(permission !== null ? { permission } : {}) } });
        expect(res.statusCode).toBeLessThan(500);
        if (res.statusCode === 200) expect(res.json().valid).toBe(false);
        const fa = await lk.app.inject({ method: 'GET', url: `/api/v1/forward-auth?permission=${encodeURIComponent(permission ?? '')}`, headers: { 'x-original-uri': `/x?bearer_token=${encodeURIComponent(token)}`, ...(origin ? { origin: origin.replace(/[^\x20-\x7e]/g, '') } : {}) } });
        expect([401, 403]).toContain(fa.statusCode);
      }),
      { numRuns: 300 },
    );
  });
});
