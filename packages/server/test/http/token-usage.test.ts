import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bearer,
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

/**
 * Usage analytics (issue 15): per token and UTC day, successes and refusals by code, the origins and
 * addresses it was used from; GET …/tokens/{id}/usage; a Prometheus counter per org. Both stores.
 */
let lk: TestInstance;
// Each use a second after the last: "most recent first" must not hang on two uses in one millisecond.
const clock = testClock();
let org: Org;
let saId: string;

beforeAll(async () => {
  lk = await startInstance({}, { clock });
  org = await createOrg(lk);
  saId = (await createServiceAccount(lk, org, 'measured')).id;
});
afterAll(async () => {
  await lk?.close();
});

const verify = (body: Record<string, unknown>) => call(lk, null, 'POST', '/api/v1/verify', body);
const usageUrl = (id: string, query = '') => `/api/v1/orgs/${org.slug}/tokens/${id}/usage${query}`;
const today = () => clock.now().toISOString().slice(0, 10);

describe('GET /orgs/{org}/tokens/{id}/usage', () => {
  it('counts successes and refusals by code per day, and lists the origins and addresses seen', async () => {
    const { token, item } = await createToken(lk, org, {
      serviceAccountId: saId,
      type: 'public',
      name: 'widget',
      domains: ['https://shop.example.com', 'https://blog.example.com'],
      rateLimits: [{ name: 'week', limit: 5, windowSeconds: 7 * 86_400 }],
    });
    const codes: string[] = [];
    const send = async (origin: string, ip?: string) => {
      clock.advance(1000);
      codes.push((await verify({ token, origin, ...(ip ? { ip } : {}) })).json().code);
    };
    await send('https://shop.example.com', '198.51.100.7');
    await send('https://shop.example.com', '::ffff:198.51.100.7');
    await send('https://blog.example.com', '2001:DB8::1');
    await send('https://evil.example.com');
    await send('https://shop.example.com');
    await send('https://shop.example.com');
    await send('https://shop.example.com');
    expect(codes).toEqual([
      'valid',
      'valid',
      'valid',
      'origin_not_allowed',
      'valid',
      'valid',
      'rate_limited',
    ]);
    // An unknown value has no token to count against: only the per-code metric sees it.
    await verify({ token: 'lk_pub_unknown' });
    await lk.usage.flush();

    const res = await call(lk, org.admin, 'GET', usageUrl(item.id));
    expect(res.statusCode, res.body).toBe(200);
    const usage = res.json();
    expect(usage).toMatchObject({ to: today(), retentionDays: 90 });
    expect(usage.days).toHaveLength(30);
    expect(usage.days.at(-1)).toEqual({
      day: today(),
      valid: 5,
      refused: { origin_not_allowed: 1, rate_limited: 1 },
    });
    expect(usage.days.slice(0, -1).every((d: { valid: number }) => d.valid === 0)).toBe(true);
    expect(usage.origins.map((o: { value: string; count: number }) => [o.value, o.count])).toEqual([
      ['https://shop.example.com', 4],
      ['https://blog.example.com', 1],
    ]);
    // One spelling per address: the IPv4-mapped form is the IPv4 address.
    expect(usage.addresses.map((a: { value: string; count: number }) => [a.value, a.count]).sort()).toEqual([
      ['198.51.100.7', 2],
      ['2001:db8::1', 1],
    ]);
    expect(usage.origins[0].firstSeenAt <= usage.origins[0].lastSeenAt).toBe(true);
  });

  it('counts state refusals too (a revoked token keeps being tried: the platform sees it)', async () => {
    const { token, item } = await createToken(lk, org, { serviceAccountId: saId, name: 'retired' });
    expect((await verify({ token })).json().code).toBe('valid');
    await call(lk, org.admin, 'DELETE', `/api/v1/orgs/${org.slug}/tokens/${item.id}`);
    for (let i = 0; i < 3; i++) expect((await verify({ token })).json().code).toBe('token_revoked');
    await lk.usage.flush();
    const day = (await call(lk, org.admin, 'GET', usageUrl(item.id))).json().days.at(-1);
    expect(day).toEqual({ day: today(), valid: 1, refused: { token_revoked: 3 } });
    // Refusals alone do not make a use: last used stays the successful one.
    const t = (await call(lk, org.admin, 'GET', `/api/v1/orgs/${org.slug}/tokens/${item.id}`)).json();
    expect(t.usesLast7Days).toBe(1);
  });

  it('keeps the 20 most recently seen origins of a token', async () => {
    const origins = Array.from({ length: 25 }, (_, i) => `https://s${i}.example.com`);
    const { token, item } = await createToken(lk, org, {
      serviceAccountId: saId,
      type: 'public',
      name: 'many sites',
      domains: origins,
    });
    // A second apart (the injected clock), so "seen longest ago" is one order; flushed twice, so both the
    // flush's own bound and the stored one are at work.
    for (const [i, origin] of origins.entries()) {
      clock.advance(1000);
      expect((await verify({ token, origin })).json().code).toBe('valid');
      if (i === 11) await lk.usage.flush();
    }
    await lk.usage.flush();
    const usage = (await call(lk, org.admin, 'GET', usageUrl(item.id))).json();
    expect(usage.origins).toHaveLength(20);
    const kept = new Set(usage.origins.map((o: { value: string }) => o.value));
    // The five seen longest ago are the ones dropped.
    for (const origin of origins.slice(0, 5)) expect(kept.has(origin), origin).toBe(false);
    for (const origin of origins.slice(12)) expect(kept.has(origin), origin).toBe(true);
  });

  it('takes a range; bad ranges are a 400, other orgs’ tokens a 404; a Viewer may read it', async () => {
    const { item } = await createToken(lk, org, { serviceAccountId: saId, name: 'ranged' });
    const ranged = (
      await call(lk, org.admin, 'GET', usageUrl(item.id, '?from=2026-02-27&to=2026-03-02'))
    ).json();
    expect(ranged.days.map((d: { day: string }) => d.day)).toEqual([
      '2026-02-27',
      '2026-02-28',
      '2026-03-01',
      '2026-03-02',
    ]);
    for (const query of [
      '?from=2026-02-30',
      '?from=2026-03-02&to=2026-03-01',
      '?from=2024-01-01&to=2026-01-01',
      '?from=20260101',
      '?from=2026-01-01%00',
      '?extra=1',
    ]) {
      const res = await call(lk, org.admin, 'GET', usageUrl(item.id, query));
      expect(res.statusCode, query).toBe(400);
      expect(res.json().error.code, query).toBe('validation_failed');
    }
    const other = await createOrg(lk);
    expect(
      (await call(lk, other.admin, 'GET', `/api/v1/orgs/${other.slug}/tokens/${item.id}/usage`)).statusCode,
    ).toBe(404);
    const viewerSa = await createServiceAccount(lk, org, 'usage-viewer', {
      roleId: await roleId(lk, org, 'Viewer'),
    });
    const viewer = (await createToken(lk, org, { serviceAccountId: viewerSa.id })).token;
    expect((await call(lk, bearer(viewer), 'GET', usageUrl(item.id))).statusCode).toBe(200);
  });
});

describe('retention and metrics', () => {
  it('days older than LATCHKEY_USAGE_RETENTION_DAYS are deleted by the flush', async () => {
    const short = await startInstance({ LATCHKEY_USAGE_RETENTION_DAYS: '7' });
    try {
      const o = await createOrg(short);
      const sa = await createServiceAccount(short, o, 'old');
      const { token, item } = await createToken(short, o, { serviceAccountId: sa.id });
      const old = new Date(Date.now() - 8 * 86_400_000).toISOString().slice(0, 10);
      const recent = new Date(Date.now() - 6 * 86_400_000).toISOString().slice(0, 10);
      const db = short.handle.db;
      await db
        .insertInto('tokenUsageDaily')
        .values([
          { tokenId: item.id, day: old, count: 4 },
          { tokenId: item.id, day: recent, count: 2 },
        ])
        .execute();
      await db
        .insertInto('tokenUsageCodes')
        .values({ tokenId: item.id, day: old, code: 'token_expired', count: 1 })
        .execute();
      expect((await call(short, null, 'POST', '/api/v1/verify', { token })).json().code).toBe('valid');
      await short.usage.flush(); // the first flush of the day prunes
      const days = await db
        .selectFrom('tokenUsageDaily')
        .select(['day', 'count'])
        .where('tokenId', '=', item.id)
        .execute();
      // `short` runs on the system clock.
      const realToday = new Date().toISOString().slice(0, 10);
      expect(days.map((d) => d.day).sort()).toEqual([recent, realToday].sort());
      expect(
        await db.selectFrom('tokenUsageCodes').selectAll().where('tokenId', '=', item.id).execute(),
      ).toEqual([]);
    } finally {
      await short.close();
    }
  });

  it('/metrics counts decisions per org id and code, and nothing per token', async () => {
    const body = (await lk.app.inject({ method: 'GET', url: '/metrics' })).body;
    const line = (code: string) =>
      body
        .split('\n')
        .find((l) => l.startsWith(`latchkey_org_verifications_total{org="${org.id}",code="${code}"}`));
    expect(Number(line('valid')?.split(' ')[1])).toBeGreaterThanOrEqual(5);
    expect(Number(line('token_revoked')?.split(' ')[1])).toBe(3);
    expect(body).not.toMatch(/tok_[0-9A-Za-z]{10,}/);
  });
});
