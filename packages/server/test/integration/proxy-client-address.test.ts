import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEchoUpstream } from '../../../../examples/platform/echo-upstream.mjs';
import { generateToken } from '../../src/domain/token-format.js';
import { startCaddy } from '../helpers/caddy.js';
import {
  call,
  createOrg,
  createServiceAccount,
  createToken,
  startInstance,
  type Org,
  type TestInstance,
} from '../helpers/harness.js';
import { requestFrom } from '../helpers/http-client.js';
import { NGINX_SNIPPETS, startNginx, type Nginx } from '../helpers/nginx.js';

/**
 * Issue #11 findings 4 and 5: the client address behind a real proxy. Latchkey believes X-Forwarded-For
 * only from the proxy's address (LATCHKEY_TRUST_PROXY=127.0.0.1); the shipped configurations overwrite it
 * with the address the proxy saw. Clients are distinct loopback addresses (127.0.x.y) so that, as on a
 * real network, they differ from the proxy's own.
 */
const LOAD_BALANCER = resolve(import.meta.dirname, '../../../../deploy/nginx/load-balancer.conf');

describe('behind the shipped load balancer (deploy/nginx/load-balancer.conf, real nginx)', () => {
  let lk: TestInstance;
  let org: Org;
  let nginx: Nginx;
  beforeAll(async () => {
    lk = await startInstance({
      LATCHKEY_TRUST_PROXY: '127.0.0.1',
      LATCHKEY_LOGIN_RATE_LIMIT: '5',
      LATCHKEY_VERIFY_FAILURE_LIMIT: '5',
    });
    const lkPort = new URL(await lk.app.listen({ port: 0, host: '127.0.0.1' })).port;
    org = await createOrg(lk);
    // The shipped file, adapted only by its addresses.
    const shipped = readFileSync(LOAD_BALANCER, 'utf8');
    nginx = await startNginx((port) => {
      const conf = shipped
        .replace(/server latchkey:8080[^;]*;/, `server 127.0.0.1:${lkPort};`)
        .replace('listen 80;', `listen 127.0.0.1:${port};`);
      expect(conf).not.toBe(shipped);
      return conf;
    });
  });
  afterAll(async () => {
    await nginx?.stop();
    await lk?.close();
  });

  const rotating = (i: number) => ({
    'x-forwarded-for': `203.0.113.${i % 250}`,
    'content-type': 'application/json',
  });

  it('a client rotating X-Forwarded-For cannot escape the sign-in limit', async () => {
    const client = '127.0.4.1';
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) {
      const body = JSON.stringify({ email: `nobody-${i}@rotating.test`, password: 'wrong-password-here' });
      statuses.push(
        (
          await requestFrom(client, `${nginx.url}/api/v1/auth/login`, {
            method: 'POST',
            headers: rotating(i),
            body,
          })
        ).status,
      );
    }
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429, 429]);
    // Limits are per real client: another address still gets its attempts.
    const other = await requestFrom('127.0.4.2', `${nginx.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: rotating(0),
      body: JSON.stringify({ email: 'x@rotating.test', password: 'wrong-password-here' }),
    });
    expect(other.status).toBe(401);
  });

  it('a client rotating X-Forwarded-For cannot escape the invalid-token limit', async () => {
    const client = '127.0.4.3';
    const statuses: number[] = [];
    for (let i = 0; i < 9; i++) {
      const body = JSON.stringify({ token: generateToken('private') });
      statuses.push(
        (
          await requestFrom(client, `${nginx.url}/api/v1/verify`, {
            method: 'POST',
            headers: rotating(i),
            body,
          })
        ).status,
      );
    }
    // limit 5: the sixth failure is still answered (it is the one over the limit), then 429.
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 429, 429, 429]);
    expect(lk.failureLimiter.isLimited(client)).toBe(true);
    expect(lk.failureLimiter.isLimited('203.0.113.1')).toBe(false);
  });

  it('the audit log records the real client address, not the one it claims', async () => {
    const body = JSON.stringify({ name: 'audited-through-nginx' });
    const res = await requestFrom('127.0.4.4', `${nginx.url}/api/v1/orgs/${org.slug}/service-accounts`, {
      method: 'POST',
      headers: {
        ...org.admin.headers,
        'x-forwarded-for': '198.51.100.77, 10.0.0.1',
        'content-type': 'application/json',
      },
      body,
    });
    expect(res.status, res.body).toBe(201);
    const audit = await call(
      lk,
      org.admin,
      'GET',
      `/api/v1/orgs/${org.slug}/audit-log?action=service_account.create`,
    );
    const entry = (
      audit.json() as { items: { ip: string | null; after: { name?: string } | null }[] }
    ).items.find((e) => e.after?.name === 'audited-through-nginx');
    expect(entry?.ip).toBe('127.0.4.4');
  });
});

/**
 * Finding 5 through forward-auth: 650 invalid tokens from one client (over the default limit of 600)
 * must not refuse another client's new, uncached token — nor the flooding client's own.
 */
describe.each(['nginx', 'caddy'])(
  'one flooding client behind a real %s (shipped forward-auth configuration)',
  (name) => {
    let lk: TestInstance;
    let org: Org;
    let sa: string;
    let upstream: Server;
    let proxy: { url: string; stop(): Promise<void> };
    beforeAll(async () => {
      lk = await startInstance({ LATCHKEY_TRUST_PROXY: '127.0.0.1' }); // default failure limit: 600 a minute
      const lkPort = new URL(await lk.app.listen({ port: 0, host: '127.0.0.1' })).port;
      org = await createOrg(lk);
      sa = (await createServiceAccount(lk, org, `flood-${name}`)).id;
      upstream = await startEchoUpstream(0);
      const upPort = (upstream.address() as AddressInfo).port;
      proxy =
        name === 'caddy'
          ? await startCaddy({ latchkey: `127.0.0.1:${lkPort}`, platform: `127.0.0.1:${upPort}` })
          : await startNginx(
              (port) => `
        include ${NGINX_SNIPPETS}/verify-secret.conf;
        upstream latchkey { server 127.0.0.1:${lkPort}; keepalive 16; }
        upstream platform { server 127.0.0.1:${upPort}; keepalive 16; }
        server {
          listen 127.0.0.1:${port};
          include ${NGINX_SNIPPETS}/refused-location.conf;
          location = /_latchkey_auth_assets_view {
            proxy_pass http://latchkey/api/v1/forward-auth?permission=assets:view;
            include ${NGINX_SNIPPETS}/forward-auth-common.conf;
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
      await proxy?.stop();
      upstream?.close();
      await lk?.close();
    });

    it("650 invalid tokens from client A: B's new token and A's own new token are still valid", async () => {
      const [a, b] = name === 'nginx' ? ['127.0.5.1', '127.0.5.2'] : ['127.0.6.1', '127.0.6.2'];
      const get = (client: string, token: string) =>
        requestFrom(client, `${proxy.url}/assets/1`, { headers: { authorization: `Bearer ${token}` } });
      const lookupsBefore = lk.lookup.stats().lookups;
      for (let sent = 0; sent < 650; sent += 10) {
        const batch = await Promise.all(Array.from({ length: 10 }, () => get(a, generateToken('private'))));
        for (const res of batch) expect(res.status).toBe(401);
      }
      const lookups = lk.lookup.stats().lookups - lookupsBefore;
      expect(lk.failureLimiter.isLimited(a)).toBe(true);
      expect(lk.failureLimiter.isLimited(b)).toBe(false);
      // The flood reached the database at most the limit (+1, +false positives of the presence filter) times.
      expect(lookups).toBeLessThanOrEqual(lk.config.verifyFailureLimit + 1 + 5);

      // Tokens created now: in no cache anywhere.
      const forB = (await createToken(lk, org, { serviceAccountId: sa })).token;
      const forA = (await createToken(lk, org, { serviceAccountId: sa })).token;
      const resB = await get(b, forB);
      expect(resB.status, resB.body).toBe(200);
      const resA = await get(a, forA);
      expect(resA.status, 'the limited client presenting a real, uncached token').toBe(200);
      // A is still limited for everything else.
      expect((await get(a, generateToken('private'))).status).toBe(401);
      expect(lk.failureLimiter.isLimited(a)).toBe(true);
    });
  },
);
