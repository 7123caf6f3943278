import express from 'express';
import Fastify, { type FastifyInstance } from 'fastify';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromVerifier, latchkeyExpress, latchkeyFastify, remoteVerifier, type DecisionSource } from '../src/index.js';
import { call, createOrg, createServiceAccount, createToken, roleId, startInstance, type Org, type TestInstance } from '../../server/test/helpers/harness.js';

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
  publicToken = (await createToken(lk, org, { serviceAccountId: sa.id, type: 'public', domains: ['https://shop.example.com'] })).token;
  const viewer = await createServiceAccount(lk, org, 'viewer');
  viewerToken = (await createToken(lk, org, { serviceAccountId: viewer.id })).token;
});
afterAll(() => lk.close());

/** A small platform API protected by the Fastify plugin. */
async function fastifyPlatform(source: DecisionSource, extra: { failOpen?: boolean } = {}): Promise<FastifyInstance> {
  const app = Fastify();
  await app.register(async (scoped) => {
    latchkeyFastify(scoped, { source, permission: (req) => (req.method === 'GET' ? 'assets:view' : 'assets:edit'), ...extra });
    scoped.get('/assets', async (req) => ({ org: req.latchkey?.org.slug ?? null, owner: req.latchkey?.owner.name ?? null }));
    scoped.post('/assets', async () => ({ created: true }));
  });
  return app;
}

function expressPlatform(source: DecisionSource): Promise<{ url: string; server: Server }> {
  const app = express();
  app.use('/assets', latchkeyExpress({ source, permission: 'assets:view' }));
  app.get('/assets', (req, res) => {
    res.json({ tokenId: (req as unknown as { latchkey: { tokenId: string } }).latchkey.tokenId });
  });
  return new Promise((resolve) => {
    const server = app.listen(0, '127.0.0.1', () => resolve({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server }));
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
    const res = await app.inject({ method: 'GET', url: '/assets', headers: { authorization: `Bearer ${privateToken}` } });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ org: org.slug, owner: 'platform' });
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('accepts bearer_token in the query, for both types', async () => {
    expect((await app.inject({ method: 'GET', url: `/assets?bearer_token=${privateToken}` })).statusCode).toBe(200);
    const pub = await app.inject({ method: 'GET', url: `/assets?bearer_token=${publicToken}`, headers: { referer: 'https://shop.example.com/p/1' } });
    expect(pub.statusCode).toBe(200);
  });

  it('answers the same codes and statuses as the server', async () => {
    const cases: [Record<string, string>, string, number][] = [
      [{}, 'token_missing', 401],
      [{ authorization: 'Bearer lk_prv_nope' }, 'token_invalid', 401],
      [{ authorization: `Bearer ${publicToken}` }, 'origin_required', 403],
      [{ authorization: `Bearer ${publicToken}`, origin: 'https://evil.example.com' }, 'origin_not_allowed', 403],
      [{ authorization: `Bearer ${viewerToken}`, 'content-type': 'application/json' }, 'permission_denied', 403],
    ];
    for (const [headers, code, status] of cases) {
      const res = await app.inject({ method: code === 'permission_denied' ? 'POST' : 'GET', url: '/assets', headers, ...(code === 'permission_denied' ? { payload: {} } : {}) });
      expect(res.statusCode, code).toBe(status);
      expect(res.json().error.code).toBe(code);
      expect(res.headers['x-latchkey-code']).toBe(code);
    }
  });

  it('refuses ambiguous tokens (header and query differ, or the query twice)', async () => {
    const both = await app.inject({ method: 'GET', url: `/assets?bearer_token=${viewerToken}`, headers: { authorization: `Bearer ${privateToken}` } });
    expect(both.json().error.code).toBe('token_invalid');
    const twice = await app.inject({ method: 'GET', url: `/assets?bearer_token=${privateToken}&bearer_token=${privateToken}` });
    expect(twice.json().error.code).toBe('token_invalid');
  });

  it('handles CORS for public tokens: preflight without a token, then Allow-Origin for the allowed origin', async () => {
    const pre = await app.inject({ method: 'OPTIONS', url: '/assets', headers: { origin: 'https://shop.example.com', 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' } });
    expect(pre.statusCode).toBe(204);
    expect(pre.headers['access-control-allow-origin']).toBe('https://shop.example.com');
    expect(String(pre.headers['access-control-allow-headers'])).toMatch(/Authorization/);
    const real = await app.inject({ method: 'GET', url: '/assets', headers: { origin: 'https://shop.example.com', authorization: `Bearer ${publicToken}` } });
    expect(real.statusCode).toBe(200);
    expect(real.headers['access-control-allow-origin']).toBe('https://shop.example.com');
    expect(real.headers.vary).toMatch(/Origin/);
  });

  it('refuses a token the moment it is revoked', async () => {
    const sa = await createServiceAccount(lk, org, `revoked-${_name.split(' ')[0]}`, { roleId: await roleId(lk, org, 'Admin') });
    const { token, item } = await createToken(lk, org, { serviceAccountId: sa.id });
    expect((await app.inject({ method: 'GET', url: '/assets', headers: { authorization: `Bearer ${token}` } })).statusCode).toBe(200);
    await call(lk, org.admin, 'DELETE', `/api/v1/orgs/${org.slug}/tokens/${item.id}`);
    const after = await app.inject({ method: 'GET', url: '/assets', headers: { authorization: `Bearer ${token}` } });
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
      const pre = await fetch(`${url}/assets`, { method: 'OPTIONS', headers: { origin: 'https://shop.example.com', 'access-control-request-method': 'GET' } });
      expect(pre.status).toBe(204);
      expect(pre.headers.get('access-control-allow-origin')).toBe('https://shop.example.com');
      const pub = await fetch(`${url}/assets?bearer_token=${publicToken}`, { headers: { origin: 'https://shop.example.com' } });
      expect(pub.status).toBe(200);
      expect(pub.headers.get('access-control-allow-origin')).toBe('https://shop.example.com');
    } finally {
      server.close();
    }
  });
});

describe('when Latchkey is unreachable', () => {
  const dead = () => remoteVerifier({ url: 'http://127.0.0.1:9', timeoutMs: 500 });
  it('fails closed by default (503, no handler runs)', async () => {
    const app = await fastifyPlatform(dead());
    const res = await app.inject({ method: 'GET', url: '/assets', headers: { authorization: `Bearer ${privateToken}` } });
    expect(res.statusCode).toBe(503);
    expect(res.json().error.code).toBe('service_unavailable');
    await app.close();
  });
  it('fails open when configured, with no identity', async () => {
    const app = await fastifyPlatform(dead(), { failOpen: true });
    const res = await app.inject({ method: 'GET', url: '/assets', headers: { authorization: `Bearer ${privateToken}` } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ org: null, owner: null });
    await app.close();
  });
});

describe('remote cache', () => {
  it('reuses an allow for at most cacheTtlMs and never caches a denial', async () => {
    const sa = await createServiceAccount(lk, org, 'cached', { roleId: await roleId(lk, org, 'Admin') });
    const { token, item } = await createToken(lk, org, { serviceAccountId: sa.id });
    const source = remoteVerifier({ url: lkUrl, cacheTtlMs: 300 });
    expect((await source.decide({ token, origin: null })).valid).toBe(true);
    await call(lk, org.admin, 'DELETE', `/api/v1/orgs/${org.slug}/tokens/${item.id}`);
    await new Promise((r) => setTimeout(r, 350));
    expect((await source.decide({ token, origin: null })).code).toBe('token_revoked');
    expect((await source.decide({ token, origin: null })).code).toBe('token_revoked');
  });
});
