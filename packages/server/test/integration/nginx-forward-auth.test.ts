import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
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

/** Real nginx: client → nginx auth_request → Latchkey forward-auth → upstream, with the shipped snippets. */
let lk: TestInstance;
let org: Org;
let upstream: Server;
let nginx: Nginx;
let prv: string;
let pub: string;
let saId: string;

beforeAll(async () => {
  lk = await startInstance();
  const lkUrl = new URL(await lk.app.listen({ port: 0, host: '127.0.0.1' }));
  org = await createOrg(lk);
  const sa = await createServiceAccount(lk, org, 'behind-nginx');
  saId = sa.id;
  prv = (await createToken(lk, org, { serviceAccountId: sa.id })).token;
  pub = (
    await createToken(lk, org, {
      serviceAccountId: sa.id,
      type: 'public',
      domains: ['https://shop.example.com'],
    })
  ).token;
  upstream = await startEchoUpstream(0);
  const upPort = (upstream.address() as AddressInfo).port;
  nginx = await startNginx(
    (port) => `
    include ${NGINX_SNIPPETS}/verify-secret.conf;
    upstream latchkey { server 127.0.0.1:${lkUrl.port}; keepalive 16; }
    upstream platform { server 127.0.0.1:${upPort}; keepalive 16; }
    server {
      listen 127.0.0.1:${port};
      include ${NGINX_SNIPPETS}/refused-location.conf;
      location = /_latchkey_auth {
        proxy_pass http://latchkey/api/v1/forward-auth;
        include ${NGINX_SNIPPETS}/forward-auth-common.conf;
      }
      location = /_latchkey_auth_orders_edit {
        proxy_pass http://latchkey/api/v1/forward-auth?permission=orders:edit;
        include ${NGINX_SNIPPETS}/forward-auth-common.conf;
      }
      location /assets {
        auth_request /_latchkey_auth;
        include ${NGINX_SNIPPETS}/protected-location.conf;
        proxy_pass http://platform;
      }
      location /orders {
        auth_request /_latchkey_auth_orders_edit;
        include ${NGINX_SNIPPETS}/protected-location.conf;
        proxy_pass http://platform;
      }
      location / { return 200 "root"; }
    }`,
  );
});
afterAll(async () => {
  await nginx?.stop();
  upstream?.close();
  await lk?.close();
});

interface Echo {
  url: string;
  headers: Record<string, string>;
}

describe('nginx auth_request → Latchkey → upstream', () => {
  it('allows a private token and passes the identity headers to the upstream', async () => {
    const res = await fetch(`${nginx.url}/assets/1`, { headers: { authorization: `Bearer ${prv}` } });
    expect(res.status).toBe(200);
    const echo = (await res.json()) as Echo;
    expect(echo.url).toBe('/assets/1');
    expect(echo.headers['x-latchkey-org']).toBe(org.id);
    expect(echo.headers['x-latchkey-org-slug']).toBe(org.slug);
    expect(echo.headers['x-latchkey-service-account']).toBe(saId);
    expect(echo.headers['x-latchkey-token-type']).toBe('private');
    expect(echo.headers['x-latchkey-permissions']).toContain('assets:view');
  });

  it('allows a public token from its origin via bearer_token, with CORS headers to the browser', async () => {
    const res = await fetch(`${nginx.url}/assets/logo.png?bearer_token=${pub}`, {
      headers: { origin: 'https://shop.example.com' },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe('https://shop.example.com');
    expect(res.headers.get('vary')).toMatch(/Origin/);
    const viaReferer = await fetch(`${nginx.url}/assets/logo.png?bearer_token=${pub}`, {
      headers: { referer: 'https://shop.example.com/product/7' },
    });
    expect(viaReferer.status).toBe(200);
  });

  it('401 without or with a bad token, 403 from a foreign origin or without the permission', async () => {
    expect((await fetch(`${nginx.url}/assets/1`)).status).toBe(401);
    expect(
      (await fetch(`${nginx.url}/assets/1`, { headers: { authorization: 'Bearer lk_prv_bogus' } })).status,
    ).toBe(401);
    expect(
      (
        await fetch(`${nginx.url}/assets/1?bearer_token=${pub}`, {
          headers: { origin: 'https://evil.example.com' },
        })
      ).status,
    ).toBe(403);
    expect((await fetch(`${nginx.url}/assets/1?bearer_token=${pub}`)).status).toBe(403);
    // The Viewer-role account may view assets but not edit orders.
    expect(
      (await fetch(`${nginx.url}/orders/1`, { method: 'POST', headers: { authorization: `Bearer ${prv}` } }))
        .status,
    ).toBe(403);
  });

  it('never lets a client-supplied identity header reach the upstream', async () => {
    const spoof = {
      'x-latchkey-org': 'org_spoofedspoofedspoof',
      'x-latchkey-org-slug': 'victim',
      'x-latchkey-token-id': 'tok_spoofed',
      'x-latchkey-token-type': 'private',
      'x-latchkey-service-account': 'sa_spoofed',
      'x-latchkey-user': 'usr_spoofed',
      'x-latchkey-permissions': 'tokens:edit,org_settings:edit',
      'x-latchkey-code': 'valid',
    };
    // With a valid token: ours replace theirs.
    const res = await fetch(`${nginx.url}/assets/1`, {
      headers: { authorization: `Bearer ${prv}`, ...spoof },
    });
    expect(res.status).toBe(200);
    const echo = (await res.json()) as Echo;
    expect(echo.headers['x-latchkey-org']).toBe(org.id);
    expect(echo.headers['x-latchkey-service-account']).toBe(saId);
    expect(echo.headers['x-latchkey-permissions']).not.toContain('org_settings:edit');
    for (const name of ['x-latchkey-user', 'x-latchkey-code'])
      expect(echo.headers[name], name).toBeUndefined();
    expect(echo.headers['x-latchkey-token-id']).toMatch(/^tok_[0-9A-Za-z]{20}$/);
    // Without a token, the spoofed headers get nothing through at all.
    expect((await fetch(`${nginx.url}/assets/1`, { headers: spoof })).status).toBe(401);
  });

  it('refuses a revoked token on the next request through nginx', async () => {
    const sa = await createServiceAccount(lk, org, 'nginx-revoke');
    const t = await createToken(lk, org, { serviceAccountId: sa.id });
    expect(
      (await fetch(`${nginx.url}/assets/1`, { headers: { authorization: `Bearer ${t.token}` } })).status,
    ).toBe(200);
    await call(lk, org.admin, 'DELETE', `/api/v1/orgs/${org.slug}/tokens/${t.item.id}`);
    expect(
      (await fetch(`${nginx.url}/assets/1`, { headers: { authorization: `Bearer ${t.token}` } })).status,
    ).toBe(401);
  });

  it('a token over its rate limit or quota gets 429 with Retry-After and RateLimit-*; other refusals stay 403', async () => {
    // A month-long window: no window boundary falls inside the test.
    const limited = (
      await createToken(lk, org, {
        serviceAccountId: saId,
        rateLimits: [{ name: 'burst', limit: 2, windowSeconds: 7 * 86_400 }],
      })
    ).token;
    const responses = [];
    for (let i = 0; i < 3; i++)
      responses.push(
        await fetch(`${nginx.url}/assets/1`, { headers: { authorization: `Bearer ${limited}` } }),
      );
    expect(responses.map((r) => r.status)).toEqual([200, 200, 429]);
    expect(responses[0]!.headers.get('ratelimit-limit')).toBe('2');
    expect(responses[0]!.headers.get('ratelimit-remaining')).toBe('1');
    const refused = responses[2]!;
    expect(refused.headers.get('x-latchkey-code')).toBe('rate_limited');
    expect(refused.headers.get('ratelimit-remaining')).toBe('0');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);

    const credits = (
      await createToken(lk, org, { serviceAccountId: saId, quota: { limit: 1, refill: null } })
    ).token;
    const spend = () => fetch(`${nginx.url}/assets/1`, { headers: { authorization: `Bearer ${credits}` } });
    expect((await spend()).status).toBe(200);
    const exhausted = await spend();
    expect(exhausted.status).toBe(429);
    expect(exhausted.headers.get('x-latchkey-code')).toBe('quota_exhausted');
    // A quota that never refills has no Retry-After.
    expect(exhausted.headers.get('retry-after')).toBeNull();

    // Every other 403 is still a 403, with its code.
    const denied = await fetch(`${nginx.url}/assets/1?bearer_token=${pub}`, {
      headers: { origin: 'https://evil.example.com' },
    });
    expect(denied.status).toBe(403);
    expect(denied.headers.get('x-latchkey-code')).toBe('origin_not_allowed');
  });
});
