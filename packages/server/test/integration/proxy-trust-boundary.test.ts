import { readFileSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEchoUpstream } from '../../../../examples/platform/echo-upstream.mjs';
import { generateToken } from '../../src/domain/token-format.js';
import {
  IDENTITY_HEADERS,
  LATCHKEY_HEADERS,
  PROXY_HEADERS,
  VERIFY_SECRET_HEADER,
  type ProxyHeader,
  type ProxyHeaderKind,
} from '../../src/verify/proxy-headers.js';
import { startCaddy } from '../helpers/caddy.js';
import {
  createOrg,
  createServiceAccount,
  createToken,
  startInstance,
  type TestInstance,
} from '../helpers/harness.js';
import { requestFrom, type RawResponse } from '../helpers/http-client.js';
import { NGINX_SNIPPETS, startNginx } from '../helpers/nginx.js';
import { tempDir } from '../helpers/process.js';

/**
 * Issue #11 findings 1, 11, 14 through REAL proxies running the SHIPPED configurations (nginx snippets,
 * Caddyfile), client → proxy → Latchkey forward-auth → echo upstream. Latchkey trusts only the proxy's
 * address (127.0.0.1) and requires the shared secret, as the docs tell a deployment to do. Clients are
 * separate loopback addresses (127.0.x.y), so each test is its own client.
 *
 * One test per class of header a client can send through the proxy, generated from PROXY_HEADERS (the
 * list forward-auth reads them through) and LATCHKEY_HEADERS: a header added there is tested here.
 */
const SECRET = 'proxy-suite-shared-secret-0123456789';
const ORIGIN = 'https://shop.example.com';

let lk: TestInstance;
let upstream: Server;
let saA: string;
let saB: string;
let tokenA: string;
let tokenB: string;
const proxies = new Map<string, { url: string; stop(): Promise<void> }>();

beforeAll(async () => {
  lk = await startInstance({
    LATCHKEY_TRUST_PROXY: '127.0.0.1',
    LATCHKEY_VERIFY_SECRET: SECRET,
    LATCHKEY_VERIFY_FAILURE_LIMIT: '5',
  });
  const lkPort = new URL(await lk.app.listen({ port: 0, host: '127.0.0.1' })).port;
  const org = await createOrg(lk);
  saA = (await createServiceAccount(lk, org, 'proxy-a')).id;
  saB = (await createServiceAccount(lk, org, 'proxy-b')).id;
  tokenA = (await createToken(lk, org, { serviceAccountId: saA })).token;
  tokenB = (await createToken(lk, org, { serviceAccountId: saB })).token;
  upstream = await startEchoUpstream(0);
  const upPort = (upstream.address() as AddressInfo).port;

  // The shipped verify-secret.conf with the secret filled in, as the file says to do.
  const dir = tempDir('latchkey-nginx-secret-');
  const secretConf = readFileSync(join(NGINX_SNIPPETS, 'verify-secret.conf'), 'utf8').replace(
    'default "";',
    `default "${SECRET}";`,
  );
  expect(secretConf).toContain(SECRET);
  writeFileSync(join(dir, 'verify-secret.conf'), secretConf);
  const nginx = await startNginx(
    (port) => `
    include ${join(dir, 'verify-secret.conf')};
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
  proxies.set('nginx', nginx);
  proxies.set(
    'caddy',
    await startCaddy({
      latchkey: `127.0.0.1:${lkPort}`,
      platform: `127.0.0.1:${upPort}`,
      verifySecret: SECRET,
    }),
  );
});
afterAll(async () => {
  for (const p of proxies.values()) await p.stop();
  upstream?.close();
  await lk?.close();
});

interface Echo {
  method: string;
  url: string;
  headers: Record<string, string | undefined>;
}
const echo = (res: RawResponse) => JSON.parse(res.body) as Echo;
const show = (res: RawResponse) => `${res.status} ${res.body.slice(0, 300)}`;

let clientCounter = 0;
/** A new client address for each use: 127.<proxy>.<n>.<m>. */
function newClient(proxy: string): string {
  clientCounter += 1;
  return `127.${proxy === 'nginx' ? 1 : 2}.${(clientCounter >> 8) & 255}.${clientCounter & 255}`;
}

type Send = (
  path: string,
  opts?: { method?: string; headers?: Record<string, string | string[]> },
  client?: string,
) => Promise<RawResponse>;

/** What a hostile client tries with each class of header, and what must still hold. */
const CLASS_TESTS: Record<
  ProxyHeaderKind,
  { title: string; run(send: Send, headers: readonly ProxyHeader[], proxy: string): Promise<void> }
> = {
  method: {
    title:
      'a client-sent method header never makes a CORS preflight: without a token nothing reaches the upstream',
    async run(send, headers) {
      const hostile = (names: readonly string[]) => ({
        ...Object.fromEntries(names.map((n) => [n, 'OPTIONS'])),
        'access-control-request-method': 'GET',
        origin: ORIGIN,
      });
      for (const method of ['GET', 'POST', 'DELETE']) {
        for (const h of headers) {
          const res = await send('/assets/secret', { method, headers: hostile([h.name]) });
          expect(res.status, `${method} with ${h.name}: OPTIONS → ${show(res)}`).toBe(401);
        }
        const all = await send('/assets/secret', { method, headers: hostile(headers.map((h) => h.name)) });
        expect(all.status, `${method} with every method header → ${show(all)}`).toBe(401);
      }
      // A real preflight (the proxy's own method is OPTIONS) still passes without a token.
      const preflight = await send('/assets/secret', {
        method: 'OPTIONS',
        headers: { origin: ORIGIN, 'access-control-request-method': 'GET' },
      });
      expect(preflight.status, show(preflight)).toBe(200);
      expect(echo(preflight).method).toBe('OPTIONS');
      // …with no identity at all (no value, no raw proxy placeholder)…
      for (const n of IDENTITY_HEADERS) expect(echo(preflight).headers[n] ?? '', n).toBe('');
      // …but an OPTIONS request without an Origin is no browser preflight: the token is checked.
      const bare = await send('/assets/secret', {
        method: 'OPTIONS',
        headers: { 'access-control-request-method': 'GET' },
      });
      expect(bare.status, show(bare)).toBe(401);
    },
  },
  uri: {
    title: "a client-sent URI header never supplies a token, nor replaces the real URI's",
    async run(send, headers) {
      for (const h of headers) {
        const smuggled = await send('/assets/1', {
          headers: { [h.name]: `/assets/1?bearer_token=${tokenB}` },
        });
        expect(smuggled.status, `${h.name} carrying a token → ${show(smuggled)}`).toBe(401);
        const swapped = await send(`/assets/1?bearer_token=${tokenA}`, {
          headers: { [h.name]: `/assets/1?bearer_token=${tokenB}` },
        });
        expect(swapped.status, `${h.name} with another token → ${show(swapped)}`).toBe(200);
        expect(echo(swapped).headers['x-latchkey-service-account'], h.name).toBe(saA);
      }
    },
  },
  'client-address': {
    title: 'a client-sent address header never moves the invalid-token limit off the real client',
    async run(send, headers, proxy) {
      for (const h of headers) {
        const client = newClient(proxy);
        const spoofed = (i: number) =>
          [`203.0.113.${i}`, '127.0.0.1', `198.51.100.${i}, 127.0.0.1`, 'unknown'][i % 4]!;
        for (let i = 0; i < 8; i++) {
          const res = await send(
            '/assets/1',
            { headers: { authorization: `Bearer ${generateToken('private')}`, [h.name]: spoofed(i) } },
            client,
          );
          expect(res.status).toBe(401);
        }
        // limit 5: the real client is limited, none of the addresses it claimed is even counted.
        expect(lk.failureLimiter.isLimited(client), `${h.name}: ${client} limited`).toBe(true);
        for (let i = 0; i < 4; i++)
          expect(lk.failureLimiter.isLimited(spoofed(i).split(',')[0]!)).toBe(false);
        // …and its real token still works while it is limited.
        expect(
          (
            await send(
              '/assets/1',
              { headers: { authorization: `Bearer ${tokenA}`, [h.name]: '203.0.113.9' } },
              client,
            )
          ).status,
        ).toBe(200);
      }
    },
  },
};

describe.each(['nginx', 'caddy'])('through a real %s with the shipped configuration', (name) => {
  const send: Send = (path, opts = {}, client = newClient(name)) =>
    requestFrom(client, `${proxies.get(name)!.url}${path}`, opts);

  it('passes a good token with the identity of its owner (the proxy sends the shared secret)', async () => {
    const res = await send('/assets/1', { headers: { authorization: `Bearer ${tokenA}` } });
    expect(res.status, show(res)).toBe(200);
    expect(echo(res).headers['x-latchkey-service-account']).toBe(saA);
    expect((await send('/assets/1')).status).toBe(401);
  });

  for (const [kind, test] of Object.entries(CLASS_TESTS) as [
    ProxyHeaderKind,
    (typeof CLASS_TESTS)[ProxyHeaderKind],
  ][]) {
    const headers = PROXY_HEADERS.filter((h) => h.carries === kind);
    it(`${kind} (${headers.map((h) => h.name).join(', ')}): ${test.title}`, async () => {
      expect(headers.length).toBeGreaterThan(0);
      await test.run(send, headers, name);
    });
  }

  it(`X-Latchkey-* (${LATCHKEY_HEADERS.length} names): a client's value never reaches the upstream, nor Latchkey's secret`, async () => {
    // Each name as written, and spelt with underscores: CGI/WSGI/Rack-style upstreams read both as one.
    const spoof = Object.fromEntries(
      LATCHKEY_HEADERS.flatMap((n) => [
        [n, `spoofed-${n}`],
        [n.replaceAll('-', '_'), `spoofed-${n}`],
      ]),
    );
    const res = await send('/assets/1', { headers: { authorization: `Bearer ${tokenA}`, ...spoof } });
    expect(res.status, show(res)).toBe(200);
    const got = echo(res).headers;
    for (const [n, v] of Object.entries(got)) expect(`${n}: ${v}`, n).not.toContain('spoofed');
    expect(got[VERIFY_SECRET_HEADER], 'the shared secret must not reach the upstream').toBeUndefined();
    expect(got['x-latchkey-service-account']).toBe(saA);
    for (const n of IDENTITY_HEADERS) expect(n in got ? got[n] : '', n).not.toMatch(/[{}]/); // no raw placeholders
    // Without a token the spoofed headers get nothing through at all.
    expect((await send('/assets/1', { headers: spoof })).status).toBe(401);
  });

  it('ambiguous credentials are refused: two Authorization headers, or a header and bearer_token at once', async () => {
    const cases: [string, Record<string, string | string[]>][] = [
      ['/assets/1', { authorization: [`Bearer ${tokenA}`, `Bearer ${tokenA}`] }],
      ['/assets/1', { authorization: [`Bearer ${tokenA}`, `Bearer ${tokenB}`] }],
      ['/assets/1', { authorization: [`Bearer ${tokenA}`, 'Basic dXNlcjpwYXNz'] }],
      [`/assets/1?bearer_token=${tokenA}`, { authorization: `Bearer ${tokenA}` }],
      [`/assets/1?bearer_token=${tokenA}&bearer_token=${tokenA}`, {}],
    ];
    for (const [path, headers] of cases) {
      const res = await send(path, { headers });
      // nginx itself answers 400 to a repeated Authorization header; otherwise Latchkey's 401.
      expect([400, 401], `${path} ${JSON.stringify(headers).slice(0, 80)} → ${show(res)}`).toContain(
        res.status,
      );
    }
  });
});
