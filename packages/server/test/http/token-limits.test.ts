import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  call,
  createOrg,
  createServiceAccount,
  createToken,
  roleId,
  startInstance,
  testClock,
  type Org,
  type TestInstance,
} from '../helpers/harness.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { leaseSize } from '../../src/verify/rate-limits.js';

const REDIS_URL = process.env.LATCHKEY_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/**
 * Rate limits and quotas (issue 15) through the API: settings on create and update, /verify's answers,
 * forward-auth's headers, and quotas that never double-spend under concurrency — on SQLite and PostgreSQL.
 */
const T0 = new Date('2026-06-01T10:00:00Z');
const clock = testClock(T0);
let lk: TestInstance;
let org: Org;
let saId: string;

beforeAll(async () => {
  lk = await startInstance({}, { clock });
  org = await createOrg(lk);
  saId = (await createServiceAccount(lk, org, 'metered')).id;
});
afterAll(async () => {
  await lk?.close();
});

const tokensUrl = () => `/api/v1/orgs/${org.slug}/tokens`;
const verify = async (body: Record<string, unknown>, on: TestInstance = lk) => {
  const res = await call(on, null, 'POST', '/api/v1/verify', body);
  expect(res.statusCode).toBe(200);
  return res.json();
};

describe('settings', () => {
  it('are stored and shown on the token; a quota starts full', async () => {
    const { item } = await createToken(lk, org, {
      serviceAccountId: saId,
      rateLimits: [
        { name: 'burst', limit: 50, windowSeconds: 1 },
        { name: 'daily', limit: 10_000, windowSeconds: 86_400 },
      ],
      quota: { limit: 1000, refill: { interval: 'month', amount: 1000 } },
    });
    expect(item).toMatchObject({
      rateLimits: [
        { name: 'burst', limit: 50, windowSeconds: 1 },
        { name: 'daily', limit: 10_000, windowSeconds: 86_400 },
      ],
      quota: {
        limit: 1000,
        refill: { interval: 'month', amount: 1000 },
        remaining: 1000,
        refillAt: '2026-07-01T00:00:00.000Z',
      },
    });
    const plain = (await createToken(lk, org, { serviceAccountId: saId })).item;
    expect(plain).toMatchObject({ rateLimits: [], quota: null });
  });

  it('bad limits get a 400 and create nothing', async () => {
    const before = (await call(lk, org.admin, 'GET', tokensUrl())).json().items.length;
    for (const bad of [
      {
        rateLimits: [
          { name: 'a', limit: 1, windowSeconds: 1 },
          { name: 'a', limit: 2, windowSeconds: 60 },
        ],
      },
      { rateLimits: [{ name: 'a', limit: 0, windowSeconds: 1 }] },
      { rateLimits: [{ name: 'a', limit: 1, windowSeconds: 8 * 86_400 }] },
      { rateLimits: [{ name: 'Has Space', limit: 1, windowSeconds: 1 }] },
      { rateLimits: Array.from({ length: 11 }, (_, i) => ({ name: `w${i}`, limit: 1, windowSeconds: 1 })) },
      { quota: { limit: 10, refill: { interval: 'day', amount: 11 } } },
      { quota: { limit: 10, refill: { interval: 'year', amount: 1 } } },
      { quota: { limit: -1, refill: null } },
      { quota: { limit: 10 } },
    ]) {
      const res = await call(lk, org.admin, 'POST', tokensUrl(), {
        serviceAccountId: saId,
        name: 'bad',
        type: 'private',
        ...bad,
      });
      expect(res.statusCode, JSON.stringify(bad)).toBe(400);
      expect(res.json().error.code).toBe('validation_failed');
    }
    expect((await call(lk, org.admin, 'GET', tokensUrl())).json().items.length).toBe(before);
  });

  it('are changed by PATCH; what was spent from a quota stays spent; null removes it', async () => {
    const { token, item } = await createToken(lk, org, {
      serviceAccountId: saId,
      quota: { limit: 10, refill: null },
    });
    for (let i = 0; i < 3; i++) expect((await verify({ token })).valid).toBe(true);
    const url = `${tokensUrl()}/${item.id}`;
    const raised = await call(lk, org.admin, 'PATCH', url, {
      quota: { limit: 20, refill: { interval: 'day', amount: 5 } },
      rateLimits: [{ name: 'minute', limit: 100, windowSeconds: 60 }],
    });
    expect(raised.statusCode).toBe(200);
    expect(raised.json()).toMatchObject({
      quota: { limit: 20, remaining: 17 },
      rateLimits: [{ name: 'minute', limit: 100, windowSeconds: 60 }],
    });
    // The verifier sees the change at once (the token's cache entry is invalidated).
    expect(await verify({ token })).toMatchObject({
      valid: true,
      quota: { limit: 20, remaining: 16 },
      rateLimit: { name: 'minute', limit: 100 },
    });
    const removed = await call(lk, org.admin, 'PATCH', url, { quota: null, rateLimits: [] });
    expect(removed.json()).toMatchObject({ quota: null, rateLimits: [] });
    const after = await verify({ token });
    expect(after.valid).toBe(true);
    expect(after).not.toHaveProperty('quota');
    expect(after).not.toHaveProperty('rateLimit');
  });
});

describe('quota changes give nothing back', () => {
  it('lowering a quota below what was spent, then raising it, leaves what was spent spent', async () => {
    const { token, item } = await createToken(lk, org, {
      serviceAccountId: saId,
      quota: { limit: 3, refill: null },
    });
    for (let i = 0; i < 3; i++) expect((await verify({ token })).valid).toBe(true);
    const url = `${tokensUrl()}/${item.id}`;
    const lowered = await call(lk, org.admin, 'PATCH', url, { quota: { limit: 1, refill: null } });
    expect(lowered.json().quota).toMatchObject({ limit: 1, remaining: 0 });
    const raised = await call(lk, org.admin, 'PATCH', url, { quota: { limit: 3, refill: null } });
    expect(raised.json().quota).toMatchObject({ limit: 3, remaining: 0 });
    expect(await verify({ token })).toMatchObject({ code: 'quota_exhausted', quota: { remaining: 0 } });
    expect((await verify({ token, cost: 0 })).code).toBe('quota_exhausted');
    const more = await call(lk, org.admin, 'PATCH', url, { quota: { limit: 5, refill: null } });
    expect(more.json().quota.remaining).toBe(2);
  });

  it('a spend made while another transaction is open is not undone when that one rolls back', async () => {
    const { token, item } = await createToken(lk, org, {
      serviceAccountId: saId,
      quota: { limit: 1000, refill: null },
    });
    // A transaction that waits on something (as a password change waits for argon2), then fails.
    const failing = lk.handle.db
      .transaction()
      .execute(async (trx) => {
        await trx.updateTable('orgs').set({ name: 'renamed' }).where('id', '=', org.id).execute();
        await new Promise((r) => setTimeout(r, 150));
        throw new Error('roll back');
      })
      .catch(() => 'rolled back');
    await new Promise((r) => setTimeout(r, 20));
    const answers = await Promise.all(Array.from({ length: 20 }, () => verify({ token })));
    expect(await failing).toBe('rolled back');
    expect(answers.filter((a) => a.valid)).toHaveLength(20);
    const t = (await call(lk, org.admin, 'GET', `${tokensUrl()}/${item.id}`)).json();
    expect(t.quota.remaining).toBe(980);
  });
});

describe('rate limits at verify time', () => {
  it('/verify: allowed up to the limit with the window in the answer, rate_limited after, again after the window', async () => {
    clock.set(new Date('2026-06-01T10:00:00Z'));
    const { token } = await createToken(lk, org, {
      serviceAccountId: saId,
      rateLimits: [{ name: 'minute', limit: 3, windowSeconds: 60 }],
    });
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await verify({ token }));
    expect(answers.map((a) => a.code)).toEqual(['valid', 'valid', 'valid', 'rate_limited']);
    expect(answers[0].rateLimit).toEqual({
      name: 'minute',
      limit: 3,
      remaining: 2,
      resetAt: '2026-06-01T10:01:00.000Z',
    });
    expect(answers[3]).toMatchObject({
      valid: false,
      tokenId: null,
      rateLimit: { name: 'minute', remaining: 0, resetAt: '2026-06-01T10:01:00.000Z' },
    });
    clock.advance(60_000);
    expect(await verify({ token })).toMatchObject({ code: 'valid', rateLimit: { remaining: 2 } });
  });

  it('only requests that pass every other check count (a wrong permission spends nothing)', async () => {
    const { token } = await createToken(lk, org, {
      serviceAccountId: saId,
      rateLimits: [{ name: 'minute', limit: 2, windowSeconds: 60 }],
    });
    for (let i = 0; i < 5; i++)
      expect((await verify({ token, permission: 'nothing:edit' })).code).toBe('permission_denied');
    expect((await verify({ token })).code).toBe('valid');
    expect((await verify({ token })).code).toBe('valid');
    expect((await verify({ token })).code).toBe('rate_limited');
  });

  it('forward-auth: RateLimit-* on allows; 403 rate_limited with Retry-After when over', async () => {
    clock.set(new Date('2026-06-01T11:00:00Z'));
    const { token } = await createToken(lk, org, {
      serviceAccountId: saId,
      rateLimits: [{ name: 'minute', limit: 1, windowSeconds: 60 }],
    });
    const fa = () =>
      lk.app.inject({
        method: 'GET',
        url: '/api/v1/forward-auth',
        headers: { authorization: `Bearer ${token}` },
      });
    const allowed = await fa();
    expect(allowed.statusCode).toBe(200);
    expect(allowed.headers).toMatchObject({
      'ratelimit-limit': '1',
      'ratelimit-remaining': '0',
      'x-latchkey-code': 'valid',
    });
    const refused = await fa();
    expect(refused.statusCode).toBe(403);
    expect(refused.headers['x-latchkey-code']).toBe('rate_limited');
    expect(refused.headers['x-latchkey-token-id']).toBeUndefined();
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(60);
  });
});

describe("a service account's windows, inherited by its tokens without their own", () => {
  it("apply per token, follow a change of the account at once, and yield to a token's own", async () => {
    const created = await call(lk, org.admin, 'POST', `/api/v1/orgs/${org.slug}/service-accounts`, {
      name: 'partner-sync',
      rateLimits: [{ name: 'hour', limit: 2, windowSeconds: 3600 }],
    });
    expect(created.statusCode, created.body).toBe(201);
    const sa = created.json();
    expect(sa.rateLimits).toEqual([{ name: 'hour', limit: 2, windowSeconds: 3600 }]);
    clock.set(new Date('2026-06-03T10:00:00Z'));
    const inherits = await createToken(lk, org, { serviceAccountId: sa.id, name: 'inherits' });
    const second = await createToken(lk, org, { serviceAccountId: sa.id, name: 'second' });
    const own = await createToken(lk, org, {
      serviceAccountId: sa.id,
      name: 'own',
      rateLimits: [{ name: 'hour', limit: 3, windowSeconds: 3600 }],
    });
    expect(inherits.item).toMatchObject({
      rateLimits: [],
      effectiveRateLimits: [{ name: 'hour', limit: 2, windowSeconds: 3600 }],
    });
    const codes = async (token: string, n: number) => {
      const out = [];
      for (let i = 0; i < n; i++) out.push((await verify({ token })).code);
      return out;
    };
    expect(await codes(inherits.token, 3)).toEqual(['valid', 'valid', 'rate_limited']);
    // Counted per token: another token of the account has its own 2.
    expect(await codes(second.token, 1)).toEqual(['valid']);
    // A token's own windows win.
    expect(await codes(own.token, 4)).toEqual(['valid', 'valid', 'valid', 'rate_limited']);
    // Raised on the account: its tokens see it at once (the count of the hour is kept).
    const raised = await call(lk, org.admin, 'PATCH', `/api/v1/orgs/${org.slug}/service-accounts/${sa.id}`, {
      rateLimits: [{ name: 'hour', limit: 3, windowSeconds: 3600 }],
    });
    expect(raised.statusCode, raised.body).toBe(200);
    expect(await codes(inherits.token, 2)).toEqual(['valid', 'rate_limited']);
    // Removed: unlimited.
    await call(lk, org.admin, 'PATCH', `/api/v1/orgs/${org.slug}/service-accounts/${sa.id}`, {
      rateLimits: [],
    });
    expect(await codes(inherits.token, 3)).toEqual(['valid', 'valid', 'valid']);
    const bad = await call(lk, org.admin, 'PATCH', `/api/v1/orgs/${org.slug}/service-accounts/${sa.id}`, {
      rateLimits: [
        { name: 'a', limit: 1, windowSeconds: 1 },
        { name: 'a', limit: 1, windowSeconds: 1 },
      ],
    });
    expect(bad.statusCode).toBe(400);
  });
});

describe('the management API', () => {
  it('a token over its rate limit or quota gets 429 rate_limited with Retry-After, not invalid_credentials', async () => {
    const admin = await createServiceAccount(lk, org, 'metered-admin', {
      roleId: await roleId(lk, org, 'Admin'),
    });
    const { token } = await createToken(lk, org, {
      serviceAccountId: admin.id,
      rateLimits: [{ name: 'hour', limit: 2, windowSeconds: 3600 }],
    });
    const me = () =>
      lk.app.inject({
        method: 'GET',
        url: `/api/v1/orgs/${org.slug}/tokens`,
        headers: { authorization: `Bearer ${token}` },
      });
    expect((await me()).statusCode).toBe(200);
    expect((await me()).statusCode).toBe(200);
    const over = await me();
    expect(over.statusCode).toBe(429);
    expect(over.json().error).toMatchObject({ code: 'rate_limited', details: { reason: 'rate_limited' } });
    expect(Number(over.headers['retry-after'])).toBeGreaterThan(0);
  });
});

describe('quotas at verify time', () => {
  it('spend one per verification, or the cost given; 0 checks; quota_exhausted at zero; refill at the next UTC day', async () => {
    clock.set(new Date('2026-06-01T23:00:00Z'));
    const { token, item } = await createToken(lk, org, {
      serviceAccountId: saId,
      quota: { limit: 10, refill: { interval: 'day', amount: 4 } },
    });
    expect((await verify({ token })).quota).toEqual({
      limit: 10,
      remaining: 9,
      refillAt: '2026-06-02T00:00:00.000Z',
    });
    expect((await verify({ token, cost: 5 })).quota.remaining).toBe(4);
    expect((await verify({ token, cost: 0 })).quota.remaining).toBe(4);
    // More than is left: refused, nothing spent.
    expect(await verify({ token, cost: 5 })).toMatchObject({
      valid: false,
      code: 'quota_exhausted',
      quota: { remaining: 4 },
    });
    expect((await verify({ token, cost: 4 })).quota.remaining).toBe(0);
    expect((await verify({ token })).code).toBe('quota_exhausted');
    // The token page shows the balance.
    expect((await call(lk, org.admin, 'GET', `${tokensUrl()}/${item.id}`)).json().quota.remaining).toBe(0);
    // Past midnight UTC: one refill of 4.
    clock.set(new Date('2026-06-02T00:00:01Z'));
    expect((await call(lk, org.admin, 'GET', `${tokensUrl()}/${item.id}`)).json().quota.remaining).toBe(4);
    expect((await verify({ token })).quota.remaining).toBe(3);
    // Three days later: three refills, capped at the limit.
    clock.set(new Date('2026-06-05T08:00:00Z'));
    expect((await verify({ token })).quota.remaining).toBe(9);
  });

  it('bad costs are a 400', async () => {
    const { token } = await createToken(lk, org, {
      serviceAccountId: saId,
      quota: { limit: 5, refill: null },
    });
    for (const cost of [-1, 1.5, '2', 2_000_000]) {
      const res = await call(lk, null, 'POST', '/api/v1/verify', { token, cost });
      expect(res.statusCode, String(cost)).toBe(400);
    }
  });

  it('50 concurrent verifiers never double-spend', async () => {
    const { token, item } = await createToken(lk, org, {
      serviceAccountId: saId,
      quota: { limit: 20, refill: null },
    });
    const answers = await Promise.all(Array.from({ length: 50 }, () => verify({ token })));
    expect(answers.filter((a) => a.valid)).toHaveLength(20);
    expect(answers.filter((a) => a.code === 'quota_exhausted')).toHaveLength(30);
    // Each success saw a distinct balance: 19 … 0.
    const balances = answers.filter((a) => a.valid).map((a) => a.quota.remaining);
    expect(new Set(balances).size).toBe(20);
    expect((await call(lk, org.admin, 'GET', `${tokensUrl()}/${item.id}`)).json().quota.remaining).toBe(0);
  });
});

describe('three instances on one database and one Redis', () => {
  let db: TestDatabase;
  const instances: TestInstance[] = [];
  beforeAll(async () => {
    db = await createTestDatabase('file');
    for (let i = 0; i < 3; i++) instances.push(await startInstance({ DATABASE_URL: db.url, REDIS_URL }));
  });
  afterAll(async () => {
    for (const i of instances) await i.close();
    await db.drop();
  });

  it('a quota spent by 50 concurrent verifiers across them is spent exactly once per credit', async () => {
    const [a] = instances;
    const o = await createOrg(a!);
    const sa = await createServiceAccount(a!, o, 'shared');
    const { token } = await createToken(a!, o, {
      serviceAccountId: sa.id,
      quota: { limit: 25, refill: null },
    });
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) => verify({ token }, instances[i % 3]!)),
    );
    expect(answers.filter((x) => x.valid)).toHaveLength(25);
    expect(new Set(answers.filter((x) => x.valid).map((x) => x.quota.remaining)).size).toBe(25);
  });

  it('share a rate limit: between them they admit no more than the limit, and at most 1.25 leases each less', async () => {
    const [a] = instances;
    const o = await createOrg(a!);
    const sa = await createServiceAccount(a!, o, 'shared-limit');
    const limit = 30;
    const { token } = await createToken(a!, o, {
      serviceAccountId: sa.id,
      rateLimits: [{ name: 'week', limit, windowSeconds: 7 * 86_400 }],
    });
    const answers = await Promise.all(
      Array.from({ length: 90 }, (_, i) => verify({ token }, instances[i % 3]!)),
    );
    const admitted = answers.filter((x) => x.valid).length;
    expect(admitted).toBeLessThanOrEqual(limit);
    expect(admitted).toBeGreaterThanOrEqual(limit - Math.ceil(3 * 1.25 * leaseSize(limit)));
    expect(answers.filter((x) => x.code === 'rate_limited')).toHaveLength(90 - admitted);
  });
});
