import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromVerifier } from '../../../node/src/embedded.js';
import { latchkeyFastify } from '../../../node/src/index.js';
import Fastify from 'fastify';
import {
  call,
  createOrg,
  createServiceAccount,
  createToken,
  login,
  roleId,
  startInstance,
  testClock,
  verify,
  type Org,
  type TestInstance,
} from '../helpers/harness.js';

let lk: TestInstance;
let org: Org;
let sa: { id: string };
let prv: { token: string; item: { id: string } };
let pub: { token: string; item: { id: string } };
beforeAll(async () => {
  lk = await startInstance({}, {});
  org = await createOrg(lk);
  sa = await createServiceAccount(lk, org, 'edge', { roleId: await roleId(lk, org, 'Admin') });
  prv = await createToken(lk, org, { serviceAccountId: sa.id, name: 'private' });
  pub = await createToken(lk, org, {
    serviceAccountId: sa.id,
    type: 'public',
    name: 'public',
    domains: ['https://example.com'],
  });
});
afterAll(() => lk.close());

const fa = (headers: Record<string, string>, url = '/api/v1/forward-auth') =>
  lk.app.inject({ method: 'GET', url, headers });

describe('POST /api/v1/verify', () => {
  it('answers every decision with 200 and the documented shape', async () => {
    const ok = await verify(lk, {
      token: pub.token,
      origin: 'https://example.com',
      permission: 'assets:view',
    });
    expect(ok).toEqual({
      valid: true,
      code: 'valid',
      org: { id: org.id, slug: org.slug },
      tokenId: pub.item.id,
      owner: { type: 'service_account', id: sa.id, name: 'edge' },
      type: 'public',
      permissions: ['assets:view', 'configurations:view', 'renders:view'],
      secret: 'current',
    });
    const no = await verify(lk, { token: pub.token, origin: 'https://example.com.evil.net' });
    expect(no).toEqual({
      valid: false,
      code: 'origin_not_allowed',
      org: null,
      tokenId: null,
      owner: null,
      type: null,
      permissions: [],
      secret: null,
    });
  });

  it('handles hostile values without a 500 and without an allow', async () => {
    const cases: [string, string | null | undefined, string][] = [
      ['x'.repeat(10_000), undefined, 'token_invalid'],
      [`${prv.token}\u0000`, undefined, 'token_invalid'],
      [pub.token, 'https://EXAMPLE.com', 'valid'],
      [pub.token, 'https://example.com:443', 'valid'],
      [pub.token, 'https://example.com:8443', 'origin_not_allowed'],
      [pub.token, 'null', 'origin_required'],
      [pub.token, 'https://exаmple.com', 'origin_not_allowed'],
      [pub.token, 'http://example.com', 'origin_not_allowed'],
      [pub.token, 'example.com', 'origin_required'],
    ];
    for (const [token, origin, code] of cases) {
      const res = await lk.app.inject({
        method: 'POST',
        url: '/api/v1/verify',
        payload: { token, ...(origin !== undefined ? { origin } : {}) },
      });
      expect(res.statusCode, `${origin}`).toBe(200);
      expect(res.json().code, `${origin}`).toBe(code);
    }
  });

  it('requires the shared secret when one is configured', async () => {
    const guarded = await startInstance({ LATCHKEY_VERIFY_SECRET: 'a-very-long-shared-secret' });
    try {
      const none = await guarded.app.inject({
        method: 'POST',
        url: '/api/v1/verify',
        payload: { token: 'x' },
      });
      expect(none.statusCode).toBe(401);
      const wrong = await guarded.app.inject({
        method: 'POST',
        url: '/api/v1/verify',
        headers: { 'x-latchkey-verify-secret': 'nope' },
        payload: { token: 'x' },
      });
      expect(wrong.statusCode).toBe(401);
      const right = await guarded.app.inject({
        method: 'POST',
        url: '/api/v1/verify',
        headers: { 'x-latchkey-verify-secret': 'a-very-long-shared-secret' },
        payload: { token: 'x' },
      });
      expect(right.statusCode).toBe(200);
    } finally {
      await guarded.close();
    }
  });
});

describe('GET /api/v1/forward-auth', () => {
  it('200 with identity headers for a private token in Authorization', async () => {
    const res = await fa({ authorization: `Bearer ${prv.token}` });
    expect(res.statusCode).toBe(200);
    expect(res.headers).toMatchObject({
      'x-latchkey-org': org.id,
      'x-latchkey-org-slug': org.slug,
      'x-latchkey-token-id': prv.item.id,
      'x-latchkey-service-account': sa.id,
      'x-latchkey-code': 'valid',
    });
    expect(String(res.headers['x-latchkey-permissions']).split(',')).toContain('tokens:edit');
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('reads bearer_token from the original URI and the origin from Referer, with CORS headers for public tokens', async () => {
    const res = await fa({
      'x-original-uri': `/assets/1.png?size=2&bearer_token=${pub.token}`,
      referer: 'https://example.com/shop/page',
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBe('https://example.com');
    expect(res.headers.vary).toBe('Origin');
    const traefik = await fa({
      'x-forwarded-uri': `/x?bearer_token=${pub.token}`,
      origin: 'https://example.com',
    });
    expect(traefik.statusCode).toBe(200);
  });

  it('checks the permission from its own query string', async () => {
    expect(
      (
        await fa(
          { authorization: `Bearer ${pub.token}`, origin: 'https://example.com' },
          '/api/v1/forward-auth?permission=assets:view',
        )
      ).statusCode,
    ).toBe(200);
    const denied = await fa(
      { authorization: `Bearer ${pub.token}`, origin: 'https://example.com' },
      '/api/v1/forward-auth?permission=orders:view',
    );
    expect(denied.statusCode).toBe(403);
    expect(denied.headers['x-latchkey-code']).toBe('permission_denied');
    const garbage = await fa(
      { authorization: `Bearer ${prv.token}` },
      '/api/v1/forward-auth?permission=%00%ff',
    );
    expect(garbage.statusCode).toBe(403);
  });

  it('answers only 200, 401 or 403 to hostile input', async () => {
    const cases: [Record<string, string>, number, string][] = [
      [{}, 401, 'token_missing'],
      [{ authorization: `Bearer ${'A'.repeat(10_000)}` }, 401, 'token_invalid'],
      [{ authorization: 'Bearer' }, 401, 'token_invalid'],
      [{ 'x-original-uri': `/a?bearer_token=${prv.token}&bearer_token=${prv.token}` }, 401, 'token_invalid'],
      [
        { authorization: `Bearer ${prv.token}`, 'x-original-uri': `/a?bearer_token=${pub.token}` },
        401,
        'token_invalid',
      ],
      [{ 'x-original-uri': '/a?bearer_token=%ff%fe%00' }, 401, 'token_invalid'],
      [{ authorization: `Bearer ${pub.token}` }, 403, 'origin_required'],
      [{ authorization: `Bearer ${pub.token}`, origin: 'null' }, 403, 'origin_required'],
      [
        { authorization: `Bearer ${pub.token}`, origin: 'https://example.com.evil.net' },
        403,
        'origin_not_allowed',
      ],
      [{ authorization: `Bearer ${pub.token}`, origin: 'https://EXAMPLE.com' }, 200, 'valid'],
      [{ authorization: `Bearer ${pub.token}`, origin: 'https://example.com:443' }, 200, 'valid'],
      [
        { authorization: `Bearer ${pub.token}`, origin: 'https://xn--exmple-cua.com' },
        403,
        'origin_not_allowed',
      ],
      [
        { authorization: `Bearer ${pub.token}`, origin: 'https://example.com, https://evil.net' },
        403,
        'origin_required',
      ],
    ];
    for (const [headers, status, code] of cases) {
      const res = await fa(headers);
      expect(res.statusCode, JSON.stringify(headers).slice(0, 120)).toBe(status);
      expect(res.headers['x-latchkey-code']).toBe(code);
    }
    const long = await lk.app.inject({
      method: 'GET',
      url: '/api/v1/forward-auth',
      headers: { 'x-original-uri': `/a?${'q=1&'.repeat(3000)}` },
    });
    expect([401, 403]).toContain(long.statusCode);
  });

  it('answers a CORS preflight without a token', async () => {
    const res = await lk.app.inject({
      method: 'OPTIONS',
      url: '/api/v1/forward-auth',
      headers: { origin: 'https://example.com', 'access-control-request-method': 'GET' },
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBe('https://example.com');
  });

  it('fails closed with 401 when the database is unavailable', async () => {
    const broken = await startInstance();
    const o = await createOrg(broken);
    const s = await createServiceAccount(broken, o, 'x');
    const t = await createToken(broken, o, { serviceAccountId: s.id });
    await broken.handle.close();
    const res = await broken.app.inject({
      method: 'GET',
      url: '/api/v1/forward-auth',
      headers: { authorization: `Bearer ${t.token}` },
    });
    expect(res.statusCode).toBe(401);
    expect(res.headers['x-latchkey-error']).toBe('service_unavailable');
    await broken.close().catch(() => undefined);
  });
});

describe('revocation reaches every entry point at once', () => {
  it('verify API, forward-auth and the middleware refuse on the very next request', async () => {
    const platform = Fastify();
    latchkeyFastify(platform, { source: fromVerifier(lk.verifier) });
    platform.get('/assets', async () => ({ ok: true }));
    const t = await createToken(lk, org, { serviceAccountId: sa.id, name: 'soon revoked' });
    const auth = { authorization: `Bearer ${t.token}` };
    // Warm every cache first.
    expect((await verify(lk, { token: t.token })).code).toBe('valid');
    expect((await fa(auth)).statusCode).toBe(200);
    expect((await platform.inject({ method: 'GET', url: '/assets', headers: auth })).statusCode).toBe(200);

    const owner = await login(lk, org.ownerEmail);
    expect((await call(lk, owner, 'DELETE', `/api/v1/orgs/${org.slug}/tokens/${t.item.id}`)).statusCode).toBe(
      204,
    );

    expect((await verify(lk, { token: t.token })).code).toBe('token_revoked');
    expect((await fa(auth)).headers['x-latchkey-code']).toBe('token_revoked');
    const mw = await platform.inject({ method: 'GET', url: '/assets', headers: auth });
    expect(mw.statusCode).toBe(401);
    expect(mw.json().error.code).toBe('token_revoked');
    await platform.close();
  });

  it('disabling the owner and removing a permission from its role take effect at once too', async () => {
    const role = (
      await call(lk, org.admin, 'POST', `/api/v1/orgs/${org.slug}/roles`, {
        name: 'Cached role',
        permissions: ['assets:edit'],
      })
    ).json();
    const s = await createServiceAccount(lk, org, 'cache-victim', { roleId: role.id });
    const t = await createToken(lk, org, { serviceAccountId: s.id });
    expect((await verify(lk, { token: t.token, permission: 'assets:edit' })).code).toBe('valid');
    await call(lk, org.admin, 'PATCH', `/api/v1/orgs/${org.slug}/roles/${role.id}`, {
      permissions: ['assets:view'],
    });
    expect((await verify(lk, { token: t.token, permission: 'assets:edit' })).code).toBe('permission_denied');
    await call(lk, org.admin, 'PATCH', `/api/v1/orgs/${org.slug}/service-accounts/${s.id}`, {
      disabled: true,
    });
    expect((await verify(lk, { token: t.token })).code).toBe('owner_disabled');
  });
});

describe('usage is recorded without writing on the verify path', () => {
  it('last use and daily counts appear after the batch flush', async () => {
    const t = await createToken(lk, org, {
      serviceAccountId: sa.id,
      type: 'public',
      name: 'counted',
      domains: ['https://count.example.com'],
    });
    for (let i = 0; i < 3; i++) await verify(lk, { token: t.token, origin: 'https://count.example.com' });
    await verify(lk, { token: t.token, origin: 'https://elsewhere.example.com' }); // denied: not counted
    const before = (await call(lk, org.admin, 'GET', `/api/v1/orgs/${org.slug}/tokens/${t.item.id}`)).json();
    expect(before.lastUsedAt).toBeNull();
    await lk.usage.flush();
    const after = (await call(lk, org.admin, 'GET', `/api/v1/orgs/${org.slug}/tokens/${t.item.id}`)).json();
    expect(after.lastUsedOrigin).toBe('https://count.example.com');
    expect(Date.parse(after.lastUsedAt)).toBeGreaterThan(Date.now() - 60_000);
    expect(after.usesLast7Days).toBe(3);
    expect(after.dailyUsage).toEqual([{ day: new Date().toISOString().slice(0, 10), count: 3 }]);
    await verify(lk, { token: t.token, origin: 'https://count.example.com' });
    await lk.usage.flush();
    const listed = (await call(lk, org.admin, 'GET', `/api/v1/orgs/${org.slug}/tokens?search=counted`)).json()
      .items[0];
    expect(listed.usesLast7Days).toBe(4);
  });
});

describe('/metrics', () => {
  it('counts decisions by code, with latency and cache figures, and no secrets', async () => {
    await verify(lk, { token: prv.token });
    await verify(lk, { token: 'lk_prv_bogus' });
    const res = await lk.app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toMatch(/latchkey_verifications_total\{code="valid"\} \d+/);
    expect(res.body).toMatch(/latchkey_verifications_total\{code="token_invalid"\} \d+/);
    expect(res.body).toMatch(/latchkey_verify_duration_seconds_bucket/);
    expect(res.body).toMatch(/latchkey_verify_cache_hit_ratio \d/);
    expect(res.body).not.toContain(prv.token);
    expect(res.body).not.toContain(prv.item.id);
    expect(res.body).not.toMatch(/[0-9a-f]{64}/); // no hash
    // The org id appears only as the label of the per-org counter (bounded: orgs × codes, not tokens).
    const withOrg = res.body.split('\n').filter((l) => l.includes(org.id));
    expect(withOrg.length).toBeGreaterThan(0);
    for (const line of withOrg)
      expect(line).toMatch(
        new RegExp(`^latchkey_org_verifications_total\\{org="${org.id}",code="[a-z_]+"\\} \\d+$`),
      );
  });

  it('counts every decision exactly once, however often the metrics are read', async () => {
    const count = async (code: string) => {
      const body = (await lk.app.inject({ method: 'GET', url: '/metrics' })).body;
      return Number(
        new RegExp(`latchkey_verifications_total\\{code="${code}"\\} (\\d+)`).exec(body)?.[1] ?? 0,
      );
    };
    const valid = await count('valid');
    const originRequired = await count('origin_required');
    for (let i = 0; i < 5; i++) await verify(lk, { token: prv.token });
    await verify(lk, { token: pub.token });
    expect(await count('valid')).toBe(valid + 5);
    expect(await count('valid')).toBe(valid + 5);
    expect(await count('origin_required')).toBe(originRequired + 1);
  });
});

describe('LATCHKEY_VERIFY_CACHE_ENTRIES bounds the verify cache', () => {
  it('keeps at most that many tokens, and still answers for the ones it dropped', async () => {
    const small = await startInstance({ LATCHKEY_VERIFY_CACHE_ENTRIES: '2' });
    try {
      const o = await createOrg(small);
      const s = await createServiceAccount(small, o, 'bounded');
      const tokens = [];
      for (let i = 0; i < 4; i++)
        tokens.push((await createToken(small, o, { serviceAccountId: s.id, name: `b${i}` })).token);
      for (const t of tokens) expect((await verify(small, { token: t })).code).toBe('valid');
      expect(small.lookup.stats().size).toBe(2);
      const lookups = small.lookup.stats().lookups;
      expect((await verify(small, { token: tokens[0]! })).code).toBe('valid'); // dropped: looked up again
      expect(small.lookup.stats().lookups).toBe(lookups + 1);
      expect(small.lookup.stats().size).toBe(2);
    } finally {
      await small.close();
    }
  });
});

describe('LATCHKEY_VERIFY_CACHE_TTL_SECONDS: how long a cached token is answered before it is read again', () => {
  it('reads it again once more than that has passed (by the app clock), not before; 300 s by default', async () => {
    const clock = testClock();
    const short = await startInstance({ LATCHKEY_VERIFY_CACHE_TTL_SECONDS: '60' }, { clock });
    const usual = await startInstance({}, { clock });
    try {
      for (const [lk, ttl] of [
        [short, 60_000],
        [usual, 300_000],
      ] as const) {
        const o = await createOrg(lk);
        const s = await createServiceAccount(lk, o, 'cached');
        const { token } = await createToken(lk, o, { serviceAccountId: s.id });
        expect((await verify(lk, { token })).code).toBe('valid');
        const lookups = lk.lookup.stats().lookups;
        clock.advance(ttl - 1_000);
        expect((await verify(lk, { token })).code).toBe('valid');
        expect(lk.lookup.stats().lookups, `${ttl} ms, before`).toBe(lookups);
        clock.advance(1_001);
        expect((await verify(lk, { token })).code).toBe('valid');
        expect(lk.lookup.stats().lookups, `${ttl} ms, after`).toBe(lookups + 1);
      }
    } finally {
      await short.close();
      await usual.close();
    }
  });
});
