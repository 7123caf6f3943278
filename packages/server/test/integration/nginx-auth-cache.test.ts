import { readFileSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEchoUpstream } from '../../../../examples/platform/echo-upstream.mjs';
import {
  call,
  createOrg,
  createServiceAccount,
  createToken,
  startInstance,
  type Org,
  type TestInstance,
} from '../helpers/harness.js';
import { NGINX_SNIPPETS, startNginx, type Nginx } from '../helpers/nginx.js';
import { tempDir } from '../helpers/process.js';

/**
 * The OPTIONAL nginx micro-cache of allow answers (docs/proxies/nginx/auth-cache.conf), through a real
 * nginx with the shipped files. Timing on a slow machine: an assertion that needs two requests inside the
 * cache's 1 s validity is made only when they were (and retried with a fresh token when not); nothing
 * assumes a speed.
 */
let lk: TestInstance;
let org: Org;
let saId: string;
let upstream: Server;
let nginx: Nginx;

beforeAll(async () => {
  lk = await startInstance();
  const lkPort = new URL(await lk.app.listen({ port: 0, host: '127.0.0.1' })).port;
  org = await createOrg(lk);
  saId = (await createServiceAccount(lk, org, 'behind-cache')).id;
  upstream = await startEchoUpstream(0);
  const upPort = (upstream.address() as AddressInfo).port;
  // The shipped zone file with the cache directory moved somewhere this test may write.
  const dir = tempDir('latchkey-nginx-cache-');
  const zone = readFileSync(join(NGINX_SNIPPETS, 'auth-cache-zone.conf'), 'utf8').replace(
    '/var/cache/nginx/latchkey_auth',
    join(dir, 'cache'),
  );
  expect(zone).toContain(dir);
  writeFileSync(join(dir, 'auth-cache-zone.conf'), zone);
  nginx = await startNginx(
    (port) => `
    include ${NGINX_SNIPPETS}/verify-secret.conf;
    include ${join(dir, 'auth-cache-zone.conf')};
    upstream latchkey { server 127.0.0.1:${lkPort}; keepalive 16; }
    upstream platform { server 127.0.0.1:${upPort}; keepalive 16; }
    server {
      listen 127.0.0.1:${port};
      include ${NGINX_SNIPPETS}/refused-location.conf;
      location = /_latchkey_auth_assets_view {
        proxy_pass http://latchkey/api/v1/forward-auth?permission=assets:view;
        include ${NGINX_SNIPPETS}/forward-auth-common.conf;
        include ${NGINX_SNIPPETS}/auth-cache.conf;
      }
      location /assets {
        auth_request /_latchkey_auth_assets_view;
        include ${NGINX_SNIPPETS}/protected-location.conf;
        proxy_pass http://platform;
      }
    }`,
  );
});
afterAll(async () => {
  await nginx?.stop();
  upstream?.close();
  await lk?.close();
});

/** Decisions Latchkey has made (every code): what reached it rather than nginx's cache. */
async function decisions(): Promise<number> {
  const body = (await lk.app.inject({ method: 'GET', url: '/metrics' })).body;
  let n = 0;
  for (const m of body.matchAll(/^latchkey_verifications_total\{code="[a-z_]+"\} (\d+)$/gm))
    n += Number(m[1]);
  return n;
}

const get = (token: string, headers: Record<string, string> = {}) =>
  fetch(`${nginx.url}/assets/1`, { headers: { authorization: `Bearer ${token}`, ...headers } });

/** Runs `attempt` until it reports a conclusive run (its timing allowed the check), at most `tries` times. */
async function conclusively(tries: number, attempt: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < tries; i++) if (await attempt()) return;
  throw new Error(
    `no run of ${tries} was fast enough to check the cache (each needs two requests within 900 ms)`,
  );
}

describe('nginx micro-cache of allow answers (auth-cache.conf)', () => {
  it('serves the upstream from a cached allow, identity headers included, without asking Latchkey again', async () => {
    await conclusively(5, async () => {
      const t = await createToken(lk, org, { serviceAccountId: saId });
      const before = await decisions();
      const started = Date.now();
      const first = await get(t.token);
      const second = await get(t.token);
      const elapsed = Date.now() - started;
      for (const res of [first, second]) {
        expect(res.status).toBe(200);
        const echo = (await res.json()) as { headers: Record<string, string> };
        expect(echo.headers['x-latchkey-token-id']).toBe(t.item.id);
        expect(echo.headers['x-latchkey-service-account']).toBe(saId);
        expect(echo.headers['x-latchkey-org']).toBe(org.id);
      }
      if (elapsed >= 900) return false;
      expect(await decisions(), 'the second allow came from the cache').toBe(before + 1);
      return true;
    });
  });

  it('a revoked token is refused again once its cached allow runs out (up to ~2 s: the documented cost)', async () => {
    let stale = false;
    await conclusively(5, async () => {
      const t = await createToken(lk, org, { serviceAccountId: saId });
      const started = Date.now();
      expect((await get(t.token)).status).toBe(200);
      const revoked = await call(lk, org.admin, 'DELETE', `/api/v1/orgs/${org.slug}/tokens/${t.item.id}`);
      expect(revoked.statusCode, revoked.body).toBeLessThan(300);
      const right = await get(t.token);
      const elapsed = Date.now() - started;
      // Poll with a deadline: refused again after the validity, however slow this machine is.
      let status = right.status;
      for (const deadline = Date.now() + 15_000; status !== 401 && Date.now() < deadline;) {
        await new Promise((r) => setTimeout(r, 100));
        status = (await get(t.token)).status;
      }
      expect(status).toBe(401);
      if (elapsed >= 900) return false;
      // Right after the revocation, still inside the validity: nginx answered from its cache.
      stale = right.status === 200;
      return true;
    });
    expect(stale, 'within the validity the cached allow was served: the cost the docs state').toBe(true);
  });

  it('never caches a 401 or a 403: every one is asked again', async () => {
    const t = await createToken(lk, org, { serviceAccountId: saId });
    await call(lk, org.admin, 'DELETE', `/api/v1/orgs/${org.slug}/tokens/${t.item.id}`);
    const pub = await createToken(lk, org, {
      serviceAccountId: saId,
      type: 'public',
      domains: ['https://shop.example.com'],
    });
    const before = await decisions();
    for (let i = 0; i < 3; i++) expect((await get(t.token)).status).toBe(401);
    for (let i = 0; i < 3; i++)
      expect((await get(pub.token, { origin: 'https://evil.example.com' })).status).toBe(403);
    expect(await decisions()).toBe(before + 6);
    // The same public token from its own origin is allowed (a denial cached under its key would not be).
    expect((await get(pub.token, { origin: 'https://shop.example.com' })).status).toBe(200);
  });

  it('never caches an answer for a token with a rate limit or a quota: its limits hold through the cache', async () => {
    const limited = await createToken(lk, org, {
      serviceAccountId: saId,
      rateLimits: [{ name: 'week', limit: 3, windowSeconds: 7 * 86_400 }],
    });
    const metered = await createToken(lk, org, {
      serviceAccountId: saId,
      quota: { limit: 2, refill: null },
    });
    // Back to back, well inside the cache's second: a cached allow would let all of them through.
    const limitedStatuses = [];
    for (let i = 0; i < 6; i++) limitedStatuses.push((await get(limited.token)).status);
    expect(limitedStatuses).toEqual([200, 200, 200, 429, 429, 429]);
    const meteredRes = [];
    for (let i = 0; i < 4; i++) meteredRes.push(await get(metered.token));
    expect(meteredRes.map((r) => r.status)).toEqual([200, 200, 429, 429]);
    expect(meteredRes[1]!.headers.get('x-latchkey-quota-remaining')).toBe('0');
    expect(meteredRes[2]!.headers.get('x-latchkey-code')).toBe('quota_exhausted');
  });
});
