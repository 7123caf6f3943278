import type { LightMyRequestResponse } from 'fastify';
import { createUsageWriter, WARNING_RETENTION_DAYS } from '../../src/store/queries/usage.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bearer,
  call,
  createOrg,
  createServiceAccount,
  createToken,
  login,
  startInstance,
  type Org,
  type TestInstance,
} from '../helpers/harness.js';

/**
 * IP allowlists and report-only enforcement (issue 15) through every entry point that verifies a token:
 * /verify (the caller passes `ip`), forward-auth (the client address from the trusted proxy headers) and
 * the management API (the request's own address). Runs on SQLite and on PostgreSQL.
 */
let lk: TestInstance;
let org: Org;
let saId: string;

beforeAll(async () => {
  // The proxy on loopback is trusted: forward-auth's client is the address it writes in X-Forwarded-For.
  lk = await startInstance({ LATCHKEY_TRUST_PROXY: 'loopback' });
  org = await createOrg(lk);
  saId = (await createServiceAccount(lk, org, 'restricted')).id;
});
afterAll(async () => {
  await lk?.close();
});

const tokensUrl = () => `/api/v1/orgs/${org.slug}/tokens`;
const verify = (body: Record<string, unknown>) => call(lk, null, 'POST', '/api/v1/verify', body);
const forwardAuth = (token: string, client: string, origin?: string): Promise<LightMyRequestResponse> =>
  lk.app.inject({
    method: 'GET',
    url: '/api/v1/forward-auth',
    remoteAddress: '127.0.0.1',
    headers: {
      authorization: `Bearer ${token}`,
      'x-forwarded-for': client,
      ...(origin ? { origin } : {}),
    },
  });

describe('IP allowlists', () => {
  it('are normalised on create and shown on the token; bad entries are refused with their index', async () => {
    const { item } = await createToken(lk, org, {
      serviceAccountId: saId,
      name: 'office only',
      allowedIps: ['203.0.113.0/24', '2001:DB8::/32', '::ffff:198.51.100.7'],
    });
    expect(item).toMatchObject({
      allowedIps: ['203.0.113.0/24', '2001:db8::/32', '198.51.100.7/32'],
      enforcement: 'enforce',
    });
    for (const [bad, index] of [
      [['shop.example.com'], 0],
      [['10.0.0.0/8', '203.0.113.7/24'], 1],
      [['10.0.0.0/33'], 0],
    ] as const) {
      const res = await call(lk, org.admin, 'POST', tokensUrl(), {
        serviceAccountId: saId,
        name: 'bad',
        type: 'private',
        allowedIps: bad,
      });
      expect(res.statusCode, String(bad)).toBe(400);
      expect(res.json().error).toMatchObject({ code: 'validation_failed', details: { index } });
    }
    const tooMany = await call(lk, org.admin, 'POST', tokensUrl(), {
      serviceAccountId: saId,
      name: 'bad',
      type: 'private',
      allowedIps: Array.from({ length: 101 }, (_, i) => `10.0.${i}.0/24`),
    });
    expect(tooMany.statusCode).toBe(400);
    // Nothing was created by the refusals.
    const list = (await call(lk, org.admin, 'GET', `${tokensUrl()}?limit=100`)).json() as {
      items: { name: string }[];
    };
    expect(list.items.filter((t) => t.name === 'bad')).toEqual([]);
  });

  it('/verify: valid from a listed address (IPv4, IPv6, IPv4-mapped), ip_not_allowed otherwise or without one', async () => {
    const { token } = await createToken(lk, org, {
      serviceAccountId: saId,
      name: 'verify ip',
      allowedIps: ['203.0.113.0/24', '2001:db8::/32'],
    });
    const code = async (ip?: string | null) =>
      (await verify({ token, ...(ip !== undefined ? { ip } : {}) })).json().code as string;
    expect(await code('203.0.113.10')).toBe('valid');
    expect(await code('::ffff:203.0.113.10')).toBe('valid');
    expect(await code('2001:db8:ff::1')).toBe('valid');
    expect(await code('198.51.100.1')).toBe('ip_not_allowed');
    expect(await code('2001:db9::1')).toBe('ip_not_allowed');
    expect(await code(null)).toBe('ip_not_allowed');
    expect(await code()).toBe('ip_not_allowed');
    // A value that cannot be an address is a bad request, not a decision.
    for (const ip of ['not an ip', '203.0.113.10/32', 'x'.repeat(65), '203.0.113.1\u0000']) {
      const res = await verify({ token, ip });
      expect(res.statusCode, ip).toBe(400);
      expect(res.json().error.code).toBe('validation_failed');
    }
    // A token without an allowlist ignores the address.
    const open = await createToken(lk, org, { serviceAccountId: saId, name: 'anywhere' });
    expect((await verify({ token: open.token, ip: '198.51.100.1' })).json()).toMatchObject({
      valid: true,
      code: 'valid',
    });
    expect((await verify({ token: open.token, ip: '198.51.100.1' })).json()).not.toHaveProperty('warnings');
  });

  it('forward-auth: the client is the address the trusted proxy vouches for; refused 403 with the code', async () => {
    const { token } = await createToken(lk, org, {
      serviceAccountId: saId,
      name: 'forward ip',
      allowedIps: ['203.0.113.0/24'],
    });
    const ok = await forwardAuth(token, '203.0.113.77');
    expect(ok.statusCode).toBe(200);
    expect(ok.headers['x-latchkey-code']).toBe('valid');
    const refused = await forwardAuth(token, '198.51.100.1');
    expect(refused.statusCode).toBe(403);
    expect(refused.headers['x-latchkey-code']).toBe('ip_not_allowed');
    expect(refused.headers['x-latchkey-token-id']).toBeUndefined();
    // A client cannot talk its way in by prepending an address: the right-most untrusted one counts.
    const forged = await forwardAuth(token, '203.0.113.77, 198.51.100.1');
    expect(forged.headers['x-latchkey-code']).toBe('ip_not_allowed');
  });

  it('a change to the allowlist applies to the next verification, both ways', async () => {
    const { token, item } = await createToken(lk, org, {
      serviceAccountId: saId,
      name: 'changing',
      allowedIps: ['203.0.113.0/24'],
    });
    expect((await verify({ token, ip: '198.51.100.9' })).json().code).toBe('ip_not_allowed');
    const widened = await call(lk, org.admin, 'PATCH', `${tokensUrl()}/${item.id}`, {
      allowedIps: ['203.0.113.0/24', '198.51.100.0/24'],
    });
    expect(widened.statusCode).toBe(200);
    expect((await verify({ token, ip: '198.51.100.9' })).json().code).toBe('valid');
    await call(lk, org.admin, 'PATCH', `${tokensUrl()}/${item.id}`, { allowedIps: ['203.0.113.0/24'] });
    expect((await verify({ token, ip: '198.51.100.9' })).json().code).toBe('ip_not_allowed');
    await call(lk, org.admin, 'PATCH', `${tokensUrl()}/${item.id}`, { allowedIps: [] });
    expect((await verify({ token, ip: '198.51.100.9' })).json().code).toBe('valid');
    // The change is in the audit log, before and after.
    const owner = await login(lk, org.ownerEmail);
    const log = (
      await call(lk, owner, 'GET', `/api/v1/orgs/${org.slug}/audit-log?targetId=${item.id}`)
    ).json() as { items: { action: string; before: unknown; after: unknown }[] };
    const updates = log.items.filter((e) => e.action === 'token.update');
    expect(updates.map((e) => (e.after as { allowedIps: string[] }).allowedIps)).toEqual(
      expect.arrayContaining([['203.0.113.0/24', '198.51.100.0/24'], []]),
    );
  });

  it('the management API refuses a token with an allowlist from an address outside it', async () => {
    const { token, item } = await createToken(lk, org, {
      serviceAccountId: saId,
      name: 'api from the office',
      allowedIps: ['203.0.113.0/24'],
    });
    const from = (address: string) =>
      lk.app.inject({
        method: 'GET',
        url: `/api/v1/orgs/${org.slug}/tokens/${item.id}`,
        remoteAddress: '127.0.0.1',
        headers: { ...bearer(token).headers, 'x-forwarded-for': address },
      });
    expect((await from('198.51.100.1')).statusCode).toBe(401);
    const inside = await from('203.0.113.5');
    expect(inside.statusCode).toBe(200);
    expect(inside.json().id).toBe(item.id);
  });
});

describe('report-only enforcement', () => {
  it('allows what the allowlists do not list, with warnings, on /verify and forward-auth', async () => {
    const { token } = await createToken(lk, org, {
      serviceAccountId: saId,
      name: 'legacy site',
      type: 'public',
      domains: ['https://shop.example.com'],
      allowedIps: ['203.0.113.0/24'],
      enforcement: 'report_only',
    });
    expect(
      (await verify({ token, origin: 'https://old-shop.example', ip: '198.51.100.3' })).json(),
    ).toMatchObject({ valid: true, code: 'valid', warnings: ['origin_not_allowed', 'ip_not_allowed'] });
    const clean = (await verify({ token, origin: 'https://shop.example.com', ip: '203.0.113.3' })).json();
    expect(clean).toMatchObject({ valid: true, code: 'valid' });
    expect(clean).not.toHaveProperty('warnings');
    const fa = await forwardAuth(token, '198.51.100.3', 'https://old-shop.example');
    expect(fa.statusCode).toBe(200);
    expect(fa.headers['x-latchkey-warnings']).toBe('origin_not_allowed,ip_not_allowed');
    // The browser may read the answer: report-only must not break the site it reports on.
    expect(fa.headers['access-control-allow-origin']).toBe('https://old-shop.example');
    const faClean = await forwardAuth(token, '203.0.113.3', 'https://shop.example.com');
    expect(faClean.headers['x-latchkey-warnings']).toBeUndefined();
    // Everything else is still enforced.
    expect(
      (await verify({ token, origin: 'https://old-shop.example', permission: 'roles:edit' })).json().code,
    ).toBe('permission_denied');
  });

  it('counts what it would have refused, per origin and address, on the token; one PATCH enforces', async () => {
    const { token, item } = await createToken(lk, org, {
      serviceAccountId: saId,
      name: 'counted',
      type: 'public',
      domains: ['https://shop.example.com'],
      allowedIps: ['203.0.113.0/24'],
      enforcement: 'report_only',
    });
    for (let i = 0; i < 3; i++)
      await verify({ token, origin: 'https://old-shop.example', ip: '203.0.113.1' });
    await verify({ token, origin: 'https://shop.example.com', ip: '198.51.100.3' });
    await verify({ token, ip: '203.0.113.1' });
    await lk.usage.flush();
    const detail = (await call(lk, org.admin, 'GET', `${tokensUrl()}/${item.id}`)).json();
    expect(detail.reportOnlyLast7Days).toEqual([
      { code: 'origin_not_allowed', subject: 'https://old-shop.example', count: 3 },
      { code: 'ip_not_allowed', subject: '198.51.100.3', count: 1 },
      { code: 'origin_required', subject: '', count: 1 },
    ]);
    expect(detail.usesLast7Days).toBe(5);
    const enforced = await call(lk, org.admin, 'PATCH', `${tokensUrl()}/${item.id}`, {
      enforcement: 'enforce',
    });
    expect(enforced.json().enforcement).toBe('enforce');
    expect((await verify({ token, origin: 'https://old-shop.example', ip: '203.0.113.1' })).json().code).toBe(
      'origin_not_allowed',
    );
  });

  it('a forged Origin per request cannot grow the counts without bound', async () => {
    const { token, item } = await createToken(lk, org, {
      serviceAccountId: saId,
      name: 'flooded',
      type: 'public',
      domains: ['https://shop.example.com'],
      enforcement: 'report_only',
    });
    for (let i = 0; i < 100; i++) await verify({ token, origin: `https://forged-${i}.example` });
    await lk.usage.flush();
    const rows = (await call(lk, org.admin, 'GET', `${tokensUrl()}/${item.id}`)).json()
      .reportOnlyLast7Days as {
      subject: string;
      count: number;
    }[];
    expect(rows.length).toBeLessThanOrEqual(21);
    expect(rows.reduce((n, r) => n + r.count, 0)).toBe(100);
    expect(rows.find((r) => r.subject === '')?.count).toBe(100 - 20);
  });
});

describe('report-only counts hold against whoever holds the value', () => {
  const reportOnlyToken = (name: string) =>
    createToken(lk, org, {
      serviceAccountId: saId,
      name,
      type: 'public',
      domains: ['https://shop.example.com'],
      enforcement: 'report_only',
    });
  const findings = async (id: string) =>
    (await call(lk, org.admin, 'GET', `${tokensUrl()}/${id}`)).json().reportOnlyLast7Days as {
      code: string;
      subject: string;
      count: number;
    }[];

  it('one-off forged origins cannot push out the origin a customer really uses', async () => {
    const { token, item } = await reportOnlyToken('poisoned');
    for (let i = 0; i < 20; i++) await verify({ token, origin: `https://attacker${i}.example` });
    for (let i = 0; i < 5; i++) await verify({ token, origin: 'https://shop.customer.example' });
    for (let i = 20; i < 60; i++) await verify({ token, origin: `https://attacker${i}.example` });
    await lk.usage.flush();
    const rows = await findings(item.id);
    expect(rows).toContainEqual({
      code: 'origin_not_allowed',
      subject: 'https://shop.customer.example',
      count: 5,
    });
    expect(rows.reduce((n, r) => n + r.count, 0)).toBe(65);
  });

  it('stores at most 50 subjects a token and day, whatever the flushes; the rest under ""', async () => {
    const { token, item } = await reportOnlyToken('flooded daily');
    for (let flush = 0; flush < 4; flush++) {
      for (let i = 0; i < 20; i++) await verify({ token, origin: `https://f${flush}-${i}.example` });
      await lk.usage.flush();
    }
    const stored = await lk.handle.db
      .selectFrom('tokenUsageWarnings')
      .select(['subject', 'count'])
      .where('tokenId', '=', item.id)
      .execute();
    expect(stored.filter((r) => r.subject !== '').length).toBe(50);
    expect(stored.reduce((n, r) => n + Number(r.count), 0)).toBe(80);
    // The token page lists the 50 most frequent.
    expect((await findings(item.id)).length).toBe(50);
  });

  it('an address is counted in one spelling, and what is no address under ""', async () => {
    const { token, item } = await createToken(lk, org, {
      serviceAccountId: saId,
      name: 'spellings',
      allowedIps: ['203.0.113.0/24'],
      enforcement: 'report_only',
    });
    for (const ip of ['198.51.100.1', '::ffff:198.51.100.1', '::FFFF:c633:6401', '1.2.3'])
      await verify({ token, ip });
    await lk.usage.flush();
    expect(await findings(item.id)).toEqual([
      { code: 'ip_not_allowed', subject: '198.51.100.1', count: 3 },
      { code: 'ip_not_allowed', subject: '', count: 1 },
    ]);
  });

  it(`keeps ${WARNING_RETENTION_DAYS} days`, async () => {
    const { item } = await reportOnlyToken('old counts');
    const old = new Date(Date.now() - (WARNING_RETENTION_DAYS + 5) * 86_400_000).toISOString().slice(0, 10);
    const recent = new Date(Date.now() - 2 * 86_400_000).toISOString().slice(0, 10);
    await lk.handle.db
      .insertInto('tokenUsageWarnings')
      .values([
        { tokenId: item.id, day: old, code: 'origin_not_allowed', subject: 'https://old.example', count: 1 },
        {
          tokenId: item.id,
          day: recent,
          code: 'origin_not_allowed',
          subject: 'https://recent.example',
          count: 1,
        },
      ])
      .execute();
    // A writer prunes once a day, on its first batch: a new one, as a restarted process would.
    const writer = createUsageWriter(lk.handle);
    await writer.applyUsage(
      new Map([[item.id, { lastUsedAt: new Date().toISOString(), lastUsedOrigin: null, days: new Map() }]]),
    );
    await writer.close();
    const left = await lk.handle.db
      .selectFrom('tokenUsageWarnings')
      .select('day')
      .where('tokenId', '=', item.id)
      .execute();
    expect(left.map((r) => r.day)).toEqual([recent]);
  });
});

describe("a leaked token's replacement", () => {
  it('keeps its IP allowlist and enforcement (a replacement usable from anywhere would undo them)', async () => {
    const { item } = await createToken(lk, org, {
      serviceAccountId: saId,
      name: 'leaky',
      allowedIps: ['203.0.113.0/24'],
      enforcement: 'report_only',
    });
    const res = await call(lk, org.admin, 'POST', `${tokensUrl()}/${item.id}/report-leak`, {
      where: 'a paste',
    });
    expect(res.statusCode, res.body).toBe(200);
    const { replacement } = res.json();
    expect(replacement).toMatchObject({ allowedIps: ['203.0.113.0/24'], enforcement: 'report_only' });
    const again = await call(lk, org.admin, 'POST', tokensUrl(), replacement);
    expect(again.statusCode, again.body).toBe(201);
    expect(again.json().item).toMatchObject({ allowedIps: ['203.0.113.0/24'], enforcement: 'report_only' });
  });
});

describe('importing a legacy token straight into report-only', () => {
  it('takes allowedIps and enforcement per row; one bad list imports nothing', async () => {
    const owner = await login(lk, org.ownerEmail);
    const value = `legacy-widget-key-${Date.now()}`;
    const row = {
      ownerEmail: org.ownerEmail,
      name: 'legacy widget',
      type: 'public',
      domains: ['https://shop.example.com'],
      allowedIps: ['203.0.113.0/24'],
      enforcement: 'report_only',
      value,
    };
    const bad = await call(lk, owner, 'POST', `${tokensUrl()}/import`, {
      tokens: [row, { ...row, name: 'other', value: `${value}-2`, allowedIps: ['203.0.113.7/24'] }],
    });
    expect(bad.statusCode, bad.body).toBe(400);
    expect(bad.json().error.code).toBe('invalid_import');
    expect(bad.json().error.details.rows).toEqual([
      expect.objectContaining({ index: 1, code: 'validation_failed' }),
    ]);
    expect((await verify({ token: value, origin: 'https://shop.example.com' })).json().code).toBe(
      'token_invalid',
    );
    const imported = await call(lk, owner, 'POST', `${tokensUrl()}/import`, { tokens: [row] });
    expect(imported.statusCode, imported.body).toBe(201);
    const id = imported.json().rows[0].tokenId as string;
    // In report-only from its first request: the old site keeps working, and what it would refuse shows.
    expect(
      (await verify({ token: value, origin: 'https://old.example', ip: '198.51.100.1' })).json(),
    ).toMatchObject({
      valid: true,
      warnings: ['origin_not_allowed', 'ip_not_allowed'],
    });
    const detail = (await call(lk, owner, 'GET', `${tokensUrl()}/${id}`)).json();
    expect(detail).toMatchObject({
      allowedIps: ['203.0.113.0/24'],
      enforcement: 'report_only',
      imported: true,
    });
  });
});
