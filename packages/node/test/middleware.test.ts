import express from 'express';
import Fastify, { type FastifyInstance } from 'fastify';
import type { AddressInfo } from 'node:net';
import { createServer, request as httpRequest, type Server, type ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromVerifier } from '../src/embedded.js';
import {
  LatchkeyRefusedError,
  latchkeyExpress,
  latchkeyFastify,
  createGuard,
  remoteVerifier,
  type DecisionSource,
} from '../src/index.js';
import {
  call,
  createOrg,
  createServiceAccount,
  createToken,
  roleId,
  startInstance,
  type Org,
  type TestInstance,
} from '../../server/test/helpers/harness.js';

let lk: TestInstance;
let lkUrl: string;
let org: Org;
let privateToken: string;
let publicToken: string;
let viewerToken: string;

beforeAll(async () => {
  lk = await startInstance();
  lkUrl = await lk.app.listen({ port: 0, host: '127.0.0.1' });
  org = await createOrg(lk);
  const sa = await createServiceAccount(lk, org, 'platform', { roleId: await roleId(lk, org, 'Admin') });
  privateToken = (await createToken(lk, org, { serviceAccountId: sa.id })).token;
  publicToken = (
    await createToken(lk, org, {
      serviceAccountId: sa.id,
      type: 'public',
      domains: ['https://shop.example.com'],
    })
  ).token;
  const viewer = await createServiceAccount(lk, org, 'viewer');
  viewerToken = (await createToken(lk, org, { serviceAccountId: viewer.id })).token;
});
afterAll(() => lk.close());

/** A small platform API protected by the Fastify plugin. */
async function fastifyPlatform(
  source: DecisionSource,
  extra: { failOpen?: boolean } = {},
): Promise<FastifyInstance> {
  const app = Fastify();
  await app.register(async (scoped) => {
    latchkeyFastify(scoped, {
      source,
      permission: (req) => (req.method === 'GET' ? 'assets:view' : 'assets:edit'),
      ...extra,
    });
    scoped.get('/assets', async (req) => ({
      org: req.latchkey?.org.slug ?? null,
      owner: req.latchkey?.owner.name ?? null,
    }));
    scoped.post('/assets', async () => ({ created: true }));
  });
  return app;
}

function expressPlatform(
  source: DecisionSource,
  extra: { failOpen?: boolean } = {},
): Promise<{ url: string; server: Server }> {
  const app = express();
  app.use('/assets', latchkeyExpress({ source, permission: 'assets:view', ...extra }));
  app.get('/assets', (req, res) => {
    res.json({
      tokenId: (req as unknown as { latchkey: { tokenId: string } | null }).latchkey?.tokenId ?? null,
    });
  });
  return new Promise((resolve) => {
    const server = app.listen(0, '127.0.0.1', () =>
      resolve({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server }),
    );
  });
}

const sources: [string, () => DecisionSource][] = [
  ['remote (verify API)', () => remoteVerifier({ url: lkUrl, cacheTtlMs: 0 })],
  ['embedded (in-process verifier)', () => fromVerifier(lk.verifier)],
];

describe.each(sources)('Fastify plugin, %s', (_name, makeSource) => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = await fastifyPlatform(makeSource());
  });
  afterAll(() => app.close());

  it('lets a valid private token through and exposes the identity', async () => {
    const res = await app.inject({
      method: 'GET',
      url: '/assets',
      headers: { authorization: `Bearer ${privateToken}` },
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ org: org.slug, owner: 'platform' });
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('says which value of a rotated token was sent (secret: current or previous)', async () => {
    const sa = await createServiceAccount(
      lk,
      org,
      `rotating-${_name.startsWith('remote') ? 'remote' : 'embedded'}`,
    );
    const t = await createToken(lk, org, { serviceAccountId: sa.id });
    const rotated = await call(lk, org.admin, 'POST', `/api/v1/orgs/${org.slug}/tokens/${t.item.id}/rotate`, {
      retire: 'at',
      at: new Date(Date.now() + 3_600_000).toISOString(),
    });
    expect(rotated.statusCode, rotated.body).toBe(201);
    const source = makeSource();
    const old = await source.decide({ token: t.token, origin: null });
    const fresh = await source.decide({ token: (rotated.json() as { token: string }).token, origin: null });
    expect(old.valid && old.identity).toMatchObject({ tokenId: t.item.id, secret: 'previous' });
    expect(fresh.valid && fresh.identity).toMatchObject({ tokenId: t.item.id, secret: 'current' });
  });

  it('accepts bearer_token in the query, for both types', async () => {
    expect(
      (await app.inject({ method: 'GET', url: `/assets?bearer_token=${privateToken}` })).statusCode,
    ).toBe(200);
    const pub = await app.inject({
      method: 'GET',
      url: `/assets?bearer_token=${publicToken}`,
      headers: { referer: 'https://shop.example.com/p/1' },
    });
    expect(pub.statusCode).toBe(200);
  });

  it('answers the same codes and statuses as the server', async () => {
    const cases: [Record<string, string>, string, number][] = [
      [{}, 'token_missing', 401],
      [{ authorization: 'Bearer lk_prv_nope' }, 'token_invalid', 401],
      [{ authorization: `Bearer ${publicToken}` }, 'origin_required', 403],
      [
        { authorization: `Bearer ${publicToken}`, origin: 'https://evil.example.com' },
        'origin_not_allowed',
        403,
      ],
      [
        { authorization: `Bearer ${viewerToken}`, 'content-type': 'application/json' },
        'permission_denied',
        403,
      ],
    ];
    for (const [headers, code, status] of cases) {
      const res = await app.inject({
        method: code === 'permission_denied' ? 'POST' : 'GET',
        url: '/assets',
        headers,
        ...(code === 'permission_denied' ? { payload: {} } : {}),
      });
      expect(res.statusCode, code).toBe(status);
      expect(res.json().error.code).toBe(code);
      expect(res.headers['x-latchkey-code']).toBe(code);
    }
  });

  it('refuses ambiguous tokens (header and query differ, or the query twice)', async () => {
    const both = await app.inject({
      method: 'GET',
      url: `/assets?bearer_token=${viewerToken}`,
      headers: { authorization: `Bearer ${privateToken}` },
    });
    expect(both.json().error.code).toBe('token_invalid');
    const twice = await app.inject({
      method: 'GET',
      url: `/assets?bearer_token=${privateToken}&bearer_token=${privateToken}`,
    });
    expect(twice.json().error.code).toBe('token_invalid');
  });

  it('handles CORS for public tokens: preflight without a token, then Allow-Origin for the allowed origin', async () => {
    const pre = await app.inject({
      method: 'OPTIONS',
      url: '/assets',
      headers: {
        origin: 'https://shop.example.com',
        'access-control-request-method': 'GET',
        'access-control-request-headers': 'authorization',
      },
    });
    expect(pre.statusCode).toBe(204);
    expect(pre.headers['access-control-allow-origin']).toBe('https://shop.example.com');
    expect(String(pre.headers['access-control-allow-headers'])).toMatch(/Authorization/);
    const real = await app.inject({
      method: 'GET',
      url: '/assets',
      headers: { origin: 'https://shop.example.com', authorization: `Bearer ${publicToken}` },
    });
    expect(real.statusCode).toBe(200);
    expect(real.headers['access-control-allow-origin']).toBe('https://shop.example.com');
    expect(real.headers.vary).toMatch(/Origin/);
  });

  it('refuses a token the moment it is revoked', async () => {
    const sa = await createServiceAccount(lk, org, `revoked-${_name.split(' ')[0]}`, {
      roleId: await roleId(lk, org, 'Admin'),
    });
    const { token, item } = await createToken(lk, org, { serviceAccountId: sa.id });
    expect(
      (await app.inject({ method: 'GET', url: '/assets', headers: { authorization: `Bearer ${token}` } }))
        .statusCode,
    ).toBe(200);
    await call(lk, org.admin, 'DELETE', `/api/v1/orgs/${org.slug}/tokens/${item.id}`);
    const after = await app.inject({
      method: 'GET',
      url: '/assets',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(after.statusCode).toBe(401);
    expect(after.json().error.code).toBe('token_revoked');
  });
});

describe('Express middleware', () => {
  it('protects routes with the same decisions', async () => {
    const { url, server } = await expressPlatform(remoteVerifier({ url: lkUrl }));
    try {
      const ok = await fetch(`${url}/assets`, { headers: { authorization: `Bearer ${privateToken}` } });
      expect(ok.status).toBe(200);
      expect(((await ok.json()) as { tokenId: string }).tokenId).toMatch(/^tok_/);
      const missing = await fetch(`${url}/assets`);
      expect(missing.status).toBe(401);
      expect(((await missing.json()) as { error: { code: string } }).error.code).toBe('token_missing');
      const pre = await fetch(`${url}/assets`, {
        method: 'OPTIONS',
        headers: { origin: 'https://shop.example.com', 'access-control-request-method': 'GET' },
      });
      expect(pre.status).toBe(204);
      expect(pre.headers.get('access-control-allow-origin')).toBe('https://shop.example.com');
      const pub = await fetch(`${url}/assets?bearer_token=${publicToken}`, {
        headers: { origin: 'https://shop.example.com' },
      });
      expect(pub.status).toBe(200);
      expect(pub.headers.get('access-control-allow-origin')).toBe('https://shop.example.com');
    } finally {
      server.close();
    }
  });
});

describe("IP allowlists: the framework's request address is checked (issue 15)", () => {
  it('Fastify (request.ip) and Express (req.ip), remote and embedded; report-only passes with warnings', async () => {
    const sa = await createServiceAccount(lk, org, 'fenced-platform', {
      roleId: await roleId(lk, org, 'Admin'),
    });
    // The platform's test clients connect over loopback, as IPv4 or IPv4-mapped IPv6: both are 127.0.0.1.
    const inside = (await createToken(lk, org, { serviceAccountId: sa.id, allowedIps: ['127.0.0.0/8'] }))
      .token;
    const outside = (await createToken(lk, org, { serviceAccountId: sa.id, allowedIps: ['203.0.113.0/24'] }))
      .token;
    const reported = (
      await createToken(lk, org, {
        serviceAccountId: sa.id,
        allowedIps: ['203.0.113.0/24'],
        enforcement: 'report_only',
      })
    ).token;
    for (const [, makeSource] of sources) {
      const fastify = await fastifyPlatform(makeSource());
      const { url, server } = await expressPlatform(makeSource());
      try {
        const viaFastify = async (token: string) => {
          const res = await fastify.inject({
            method: 'GET',
            url: '/assets',
            remoteAddress: '127.0.0.1',
            headers: { authorization: `Bearer ${token}` },
          });
          return [res.statusCode, res.headers['x-latchkey-code'] ?? 'valid'];
        };
        const viaExpress = async (token: string) => {
          const res = await fetch(`${url}/assets`, { headers: { authorization: `Bearer ${token}` } });
          return [res.status, res.headers.get('x-latchkey-code') ?? 'valid'];
        };
        for (const via of [viaFastify, viaExpress]) {
          expect(await via(inside)).toEqual([200, 'valid']);
          expect(await via(outside)).toEqual([403, 'ip_not_allowed']);
          expect(await via(reported)).toEqual([200, 'valid']);
        }
        const decided = await makeSource().decide({ token: reported, origin: null, ip: '198.51.100.1' });
        expect(decided.valid && decided.identity.warnings).toEqual(['ip_not_allowed']);
      } finally {
        await fastify.close();
        server.close();
      }
    }
  });
});

describe('rate limits and quotas (issue 15): 429 with Retry-After and RateLimit-* headers', () => {
  it('Fastify and Express, remote and embedded: allowed with the headers, then 429 rate_limited / quota_exhausted', async () => {
    const sa = await createServiceAccount(lk, org, 'metered-platform', {
      roleId: await roleId(lk, org, 'Admin'),
    });
    for (const [name, makeSource] of sources) {
      const fastify = await fastifyPlatform(makeSource());
      const { url, server } = await expressPlatform(makeSource());
      try {
        const viaFastify = async (token: string) => {
          const res = await fastify.inject({
            method: 'GET',
            url: '/assets',
            headers: { authorization: `Bearer ${token}` },
          });
          return { status: res.statusCode, header: (h: string) => res.headers[h] as string | undefined };
        };
        const viaExpress = async (token: string) => {
          const res = await fetch(`${url}/assets`, { headers: { authorization: `Bearer ${token}` } });
          return { status: res.status, header: (h: string) => res.headers.get(h) ?? undefined };
        };
        for (const via of [viaFastify, viaExpress]) {
          // A week-long window: none ends during the test.
          const limited = (
            await createToken(lk, org, {
              serviceAccountId: sa.id,
              rateLimits: [{ name: 'week', limit: 2, windowSeconds: 7 * 86_400 }],
            })
          ).token;
          const first = await via(limited);
          expect([name, first.status]).toEqual([name, 200]);
          expect(first.header('ratelimit-limit')).toBe('2');
          expect(first.header('ratelimit-remaining')).toBe('1');
          expect(Number(first.header('ratelimit-reset'))).toBeGreaterThan(0);
          expect((await via(limited)).status).toBe(200);
          const over = await via(limited);
          expect(over.status).toBe(429);
          expect(over.header('x-latchkey-code')).toBe('rate_limited');
          expect(over.header('ratelimit-remaining')).toBe('0');
          expect(Number(over.header('retry-after'))).toBeGreaterThan(0);

          const credits = (
            await createToken(lk, org, {
              serviceAccountId: sa.id,
              quota: { limit: 1, refill: { interval: 'day', amount: 1 } },
            })
          ).token;
          expect((await via(credits)).status).toBe(200);
          const spent = await via(credits);
          expect(spent.status).toBe(429);
          expect(spent.header('x-latchkey-code')).toBe('quota_exhausted');
          // Until the next UTC midnight.
          expect(Number(spent.header('retry-after'))).toBeLessThanOrEqual(86_400);
        }
      } finally {
        await fastify.close();
        server.close();
      }
    }
  });

  it('the remote cache never reuses an allow for a token with limits: every use is counted', async () => {
    const sa = await createServiceAccount(lk, org, 'metered-cached', {
      roleId: await roleId(lk, org, 'Admin'),
    });
    const { token } = await createToken(lk, org, {
      serviceAccountId: sa.id,
      quota: { limit: 3, refill: null },
    });
    const source = remoteVerifier({ url: lkUrl, cacheTtlMs: 60_000 });
    const seen = [];
    for (let i = 0; i < 4; i++) {
      const d = await source.decide({ token, origin: null });
      seen.push(d.valid ? d.quota?.remaining : d.code);
    }
    expect(seen).toEqual([2, 1, 0, 'quota_exhausted']);
  });

  it('passes the cost the guard is given, fixed or per request, remote and embedded', async () => {
    const sa = await createServiceAccount(lk, org, 'metered-cost', {
      roleId: await roleId(lk, org, 'Admin'),
    });
    const { token } = await createToken(lk, org, {
      serviceAccountId: sa.id,
      quota: { limit: 10, refill: null },
    });
    const req = (url: string) => ({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } });
    const remote = createGuard({ source: remoteVerifier({ url: lkUrl }), cost: 4 });
    expect(await remote(req('/a'))).toMatchObject({ kind: 'allow' });
    const perRequest = createGuard({
      source: fromVerifier(lk.verifier),
      cost: (r) => (r.url.startsWith('/bulk') ? 5 : 1),
    });
    expect(await perRequest(req('/bulk'))).toMatchObject({ kind: 'allow' });
    // 10 − 4 − 5 = 1 left: a bulk call is refused, a single one passes.
    expect(await perRequest(req('/bulk'))).toMatchObject({ kind: 'deny', status: 429 });
    expect(await perRequest(req('/one'))).toMatchObject({ kind: 'allow' });
    // Nothing left: a cost-0 check says so (it passes only while a credit is left).
    const check = await fromVerifier(lk.verifier).decide({ token, origin: null, cost: 0 });
    expect(check).toMatchObject({ valid: false, code: 'quota_exhausted', quota: { remaining: 0 } });
  });
});

describe('CORS preflights, the same as forward-auth (one answer in @latchkey/protocol)', () => {
  const corsHeaders = (headers: Record<string, unknown>) =>
    Object.fromEntries(
      Object.entries(headers).filter(([name]) => name.startsWith('access-control-') || name === 'vary'),
    );

  it('answers a preflight with the CORS headers forward-auth sends for it', async () => {
    const preflight = { origin: 'https://shop.example.com', 'access-control-request-method': 'GET' };
    const forwardAuth = await lk.app.inject({
      method: 'OPTIONS',
      url: '/api/v1/forward-auth',
      headers: preflight,
    });
    expect(forwardAuth.headers['x-latchkey-code'], forwardAuth.body).toBe('preflight');
    const app = await fastifyPlatform(remoteVerifier({ url: lkUrl, cacheTtlMs: 0 }));
    try {
      const middleware = await app.inject({ method: 'OPTIONS', url: '/assets', headers: preflight });
      expect(middleware.statusCode, middleware.body).toBe(204);
      expect(corsHeaders(middleware.headers)).toEqual(corsHeaders(forwardAuth.headers));
      expect(middleware.headers['access-control-allow-methods']).toMatch(/OPTIONS/);
    } finally {
      await app.close();
    }
  });

  it('checks the token of an OPTIONS request without an origin, as forward-auth does (no browser preflight)', async () => {
    const noOrigin = { 'access-control-request-method': 'GET' };
    const forwardAuth = await lk.app.inject({
      method: 'OPTIONS',
      url: '/api/v1/forward-auth',
      headers: noOrigin,
    });
    expect(forwardAuth.headers['x-latchkey-code']).toBe('token_missing');
    const app = await fastifyPlatform(remoteVerifier({ url: lkUrl, cacheTtlMs: 0 }));
    try {
      const res = await app.inject({ method: 'OPTIONS', url: '/assets', headers: noOrigin });
      expect(res.statusCode, res.body).toBe(401);
      expect(res.headers['x-latchkey-code']).toBe('token_missing');
    } finally {
      await app.close();
    }
  });
});

/**
 * A stand-in for Latchkey that answers /verify as its path prefix says: `/s/<status>` answers that status
 * (with `Retry-After: 17` on a 429), `/bare/<status>` the same without Retry-After, `/cut/<status>` sends the
 * status and half a body and then drops the connection, `/slow/<status>` sends the status and half a body and
 * never the rest; `/allow` answers a valid decision, `/redirect` a 307 to `/allow`, `/garbage` a 200 that is
 * not a verify answer, `/hang` never answers.
 */
async function startStubLatchkey(): Promise<{ url: string; close(): Promise<void> }> {
  const hanging = new Set<ServerResponse>();
  const server = createServer((req, res) => {
    req.resume();
    const path = req.url ?? '';
    const [, mode, status] = /^\/(s|bare|cut|slow)\/(\d{3})\//.exec(path) ?? [];
    if (mode && status) {
      const retry = status === '429' && mode !== 'bare' ? { 'retry-after': '17' } : {};
      const body = JSON.stringify({ error: { code: 'stub', message: 'stub', requestId: 'req_stub' } });
      res.writeHead(Number(status), {
        'content-type': 'application/json',
        'content-length': String(body.length),
        ...retry,
      });
      if (mode === 's' || mode === 'bare') return void res.end(body);
      const half = body.slice(0, body.length / 2);
      if (mode === 'cut') return void res.write(half, () => res.destroy());
      res.write(half);
      return void hanging.add(res);
    }
    if (path.startsWith('/allow/')) {
      const allow = {
        valid: true,
        code: 'valid',
        org: { id: 'org_stub', slug: 'stub' },
        tokenId: 'tok_stub',
        owner: { type: 'service_account', id: 'sa_stub', name: 'stub' },
        type: 'private',
        permissions: ['assets:view', 'assets:edit'],
      };
      res.writeHead(200, { 'content-type': 'application/json' });
      return void res.end(JSON.stringify(allow));
    }
    if (path.startsWith('/redirect/')) {
      res.writeHead(307, { location: '/allow/api/v1/verify' });
      return void res.end();
    }
    if (path.startsWith('/garbage/')) {
      res.writeHead(200, { 'content-type': 'text/html' });
      return void res.end('<html>captive portal</html>');
    }
    hanging.add(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of hanging) res.destroy();
        server.close(() => resolve());
      }),
  };
}

/** One request through either adapter; what the client sees. */
type Hit = { status: number; code: string | null; retryAfter: string | null; body: string };
type Adapter = (source: DecisionSource, failOpen: boolean, token: string) => Promise<Hit>;
const adapters: [string, Adapter][] = [
  [
    'Fastify',
    async (source, failOpen, token) => {
      const app = await fastifyPlatform(source, { failOpen });
      try {
        const res = await app.inject({
          method: 'GET',
          url: '/assets',
          headers: { authorization: `Bearer ${token}` },
        });
        const code = res.statusCode === 200 ? null : (res.json() as { error: { code: string } }).error.code;
        return {
          status: res.statusCode,
          code,
          retryAfter: (res.headers['retry-after'] as string | undefined) ?? null,
          body: res.body,
        };
      } finally {
        await app.close();
      }
    },
  ],
  [
    'Express',
    async (source, failOpen, token) => {
      const { url, server } = await expressPlatform(source, { failOpen });
      try {
        const res = await fetch(`${url}/assets`, { headers: { authorization: `Bearer ${token}` } });
        const body = await res.text();
        const code = res.status === 200 ? null : (JSON.parse(body) as { error: { code: string } }).error.code;
        return { status: res.status, code, retryAfter: res.headers.get('retry-after'), body };
      } finally {
        server.closeAllConnections();
        server.close();
      }
    },
  ],
];

describe.each(adapters)('%s: failOpen admits only when Latchkey cannot be asked', (_name, hit) => {
  let stub: Awaited<ReturnType<typeof startStubLatchkey>>;
  beforeAll(async () => {
    stub = await startStubLatchkey();
  });
  afterAll(() => stub.close());
  const garbage = 'lk_prv_notarealtoken';

  it('a 429 from a real Latchkey (its invalid-token limit) is a 429 rate_limited denial, never an allow', async () => {
    const limited = await startInstance({ LATCHKEY_VERIFY_FAILURE_LIMIT: '2' });
    try {
      const url = await limited.app.listen({ port: 0, host: '127.0.0.1' });
      const seen: Hit[] = [];
      for (let i = 0; i < 5; i++)
        seen.push(await hit(remoteVerifier({ url, cacheTtlMs: 0 }), true, `${garbage}${i}`));
      expect(
        seen.map((h) => h.status),
        JSON.stringify(seen),
      ).not.toContain(200);
      const last = seen[seen.length - 1]!;
      expect(last.status, last.body).toBe(429);
      expect(last.code).toBe('rate_limited');
      expect(Number(last.retryAfter)).toBeGreaterThan(0);
    } finally {
      await limited.close();
    }
  });

  it('every other answer from Latchkey fails closed too, whatever failOpen says', async () => {
    const cases: [path: string, status: number, code: string, retryAfter: string | null][] = [
      ['/s/429', 429, 'rate_limited', '17'],
      // Decided by the status alone: a body that never ends, or breaks off, is not waited for or read.
      ['/slow/429', 429, 'rate_limited', '17'],
      ['/cut/429', 429, 'rate_limited', '17'],
      ['/slow/401', 503, 'service_unavailable', null],
      ['/cut/401', 503, 'service_unavailable', null],
      ['/s/400', 503, 'service_unavailable', null],
      ['/s/401', 503, 'service_unavailable', null],
      ['/s/403', 503, 'service_unavailable', null],
      ['/s/404', 503, 'service_unavailable', null],
      ['/s/413', 503, 'service_unavailable', null],
      // A redirect is never followed: the token would travel to wherever it points (here: an allow).
      ['/redirect', 503, 'service_unavailable', null],
      ['/garbage', 503, 'service_unavailable', null],
    ];
    for (const [path, status, code, retryAfter] of cases) {
      for (const failOpen of [true, false]) {
        const errors: unknown[] = [];
        const source = remoteVerifier({ url: `${stub.url}${path}`, cacheTtlMs: 0 });
        const recording: DecisionSource = {
          decide: (input) => source.decide(input).catch((e: unknown) => (errors.push(e), Promise.reject(e))),
        };
        const h = await hit(recording, failOpen, garbage);
        const label = `${path} failOpen=${failOpen}: ${h.body}`;
        expect(h.status, label).toBe(status);
        expect(h.code, label).toBe(code);
        expect(h.retryAfter, label).toBe(retryAfter);
        if (status === 503) expect(errors[0], label).toBeInstanceOf(LatchkeyRefusedError);
      }
    }
  });

  it('a 429 without a usable Retry-After tells the client defaultRetryAfterSeconds (default 60)', async () => {
    const url = `${stub.url}/bare/429`;
    const fallback = await hit(remoteVerifier({ url, cacheTtlMs: 0 }), true, garbage);
    expect(fallback.status, fallback.body).toBe(429);
    expect(fallback.retryAfter).toBe('60');
    const configured = await hit(
      remoteVerifier({ url, cacheTtlMs: 0, defaultRetryAfterSeconds: 5 }),
      true,
      garbage,
    );
    expect(configured.status, configured.body).toBe(429);
    expect(configured.retryAfter).toBe('5');
  });

  it('the stub itself allows, so the redirect test above would have admitted had it been followed', async () => {
    const h = await hit(remoteVerifier({ url: `${stub.url}/allow`, cacheTtlMs: 0 }), false, garbage);
    expect(h.status, h.body).toBe(200);
  });

  it('a network error, a timeout or a 5xx fails closed by default (503) and open with failOpen (no identity)', async () => {
    const unavailable: [string, () => DecisionSource][] = [
      ['closed port', () => remoteVerifier({ url: 'http://127.0.0.1:9', cacheTtlMs: 0 })],
      ['timeout', () => remoteVerifier({ url: `${stub.url}/hang`, cacheTtlMs: 0, timeoutMs: 100 })],
      ['500', () => remoteVerifier({ url: `${stub.url}/s/500`, cacheTtlMs: 0 })],
      ['502', () => remoteVerifier({ url: `${stub.url}/s/502`, cacheTtlMs: 0 })],
      ['503', () => remoteVerifier({ url: `${stub.url}/s/503`, cacheTtlMs: 0 })],
    ];
    for (const [label, source] of unavailable) {
      const closed = await hit(source(), false, privateToken);
      expect(closed.status, `${label}: ${closed.body}`).toBe(503);
      expect(closed.code, label).toBe('service_unavailable');
      const open = await hit(source(), true, privateToken);
      expect(open.status, `${label}: ${open.body}`).toBe(200);
      expect(open.body, label).toMatch(/null/);
    }
  });
});

describe('remote cache', () => {
  it('reuses an allow for at most cacheTtlMs (clock injected)', async () => {
    const sa = await createServiceAccount(lk, org, 'cached', { roleId: await roleId(lk, org, 'Admin') });
    const { token, item } = await createToken(lk, org, { serviceAccountId: sa.id });
    let now = 1_000_000;
    const source = remoteVerifier({ url: lkUrl, cacheTtlMs: 300, now: () => now });
    expect((await source.decide({ token, origin: null })).valid).toBe(true);
    await call(lk, org.admin, 'DELETE', `/api/v1/orgs/${org.slug}/tokens/${item.id}`);
    now += 299;
    expect((await source.decide({ token, origin: null })).valid, 'the allow is reused within the TTL').toBe(
      true,
    );
    now += 2;
    expect((await source.decide({ token, origin: null })).code).toBe('token_revoked');
  });

  it('never caches a denial: a re-enabled account works at once, at the same instant', async () => {
    const sa = await createServiceAccount(lk, org, 'toggled', { roleId: await roleId(lk, org, 'Admin') });
    const { token } = await createToken(lk, org, { serviceAccountId: sa.id });
    const source = remoteVerifier({ url: lkUrl, cacheTtlMs: 60_000, now: () => 1_000_000 });
    await call(lk, org.admin, 'PATCH', `/api/v1/orgs/${org.slug}/service-accounts/${sa.id}`, {
      disabled: true,
    });
    expect((await source.decide({ token, origin: null })).code).toBe('owner_disabled');
    await call(lk, org.admin, 'PATCH', `/api/v1/orgs/${org.slug}/service-accounts/${sa.id}`, {
      disabled: false,
    });
    expect((await source.decide({ token, origin: null })).code).toBe('valid');
  });
});

/** GET `url` with the raw header lines given (Node's client sends an array value as repeated lines). */
function rawGet(
  url: string,
  headers: Record<string, string | string[]>,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: 'GET', headers }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('two Authorization headers are ambiguous: refused, not the first one believed', () => {
  it('Fastify and Express, with a valid token in either header', async () => {
    const fastify = await fastifyPlatform(remoteVerifier({ url: lkUrl, cacheTtlMs: 0 }));
    const fastifyUrl = await fastify.listen({ port: 0, host: '127.0.0.1' });
    const expressApp = await expressPlatform(remoteVerifier({ url: lkUrl, cacheTtlMs: 0 }));
    try {
      for (const base of [fastifyUrl, expressApp.url]) {
        const one = await rawGet(`${base}/assets`, { authorization: `Bearer ${privateToken}` });
        expect(one.status, one.body).toBe(200);
        for (const pair of [
          [`Bearer ${privateToken}`, 'Bearer lk_prv_garbage'],
          ['Bearer lk_prv_garbage', `Bearer ${privateToken}`],
          [`Bearer ${privateToken}`, `Bearer ${privateToken}`],
        ]) {
          const two = await rawGet(`${base}/assets`, { authorization: pair });
          expect(two.status, `${base} ${two.body}`).toBe(401);
          expect((JSON.parse(two.body) as { error: { code: string } }).error.code).toBe('token_invalid');
        }
      }
    } finally {
      await fastify.close();
      expressApp.server.closeAllConnections();
      expressApp.server.close();
    }
  });
});
