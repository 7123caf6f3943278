import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { leaseSize } from '../../src/verify/rate-limits.js';
import { api, waitUntil } from '../helpers/cluster.js';
import { createTestDatabase, TEST_STORE, type TestDatabase } from '../helpers/database.js';
import { runCli, startServer, type Server } from '../helpers/process.js';

/**
 * Black-box: `latchkey serve --workers 2`, the real binary, on SQLite and (postgres project) PostgreSQL.
 * Which worker answers a connection is the kernel's and the primary's choice, so the tests use fresh
 * connections (no keep-alive) and read the cluster-wide /metrics to know both workers took part. Every
 * wait polls with a deadline; the long tests get 90 s for a slow, loaded machine.
 */

/** Revocation must reach every worker within this (SPEC §4: one second across instances). */
const HARD_BOUND_MS = 1000;

interface Answer {
  code: string;
  /** performance.now() when the request was sent. */
  sentAt: number;
}

/** POST /api/v1/verify on a connection of its own, so that consecutive calls spread over the workers. */
function verifyFresh(url: string, token: string): Promise<Answer> {
  const sentAt = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(
      `${url}/api/v1/verify`,
      { method: 'POST', agent: false, headers: { 'content-type': 'application/json', connection: 'close' } },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => {
          try {
            const parsed = JSON.parse(body) as { code?: string; error?: { code: string } };
            resolve({ code: parsed.code ?? parsed.error?.code ?? `status ${res.statusCode}`, sentAt });
          } catch {
            reject(new Error(`verify answered ${res.statusCode}: ${body}`));
          }
        });
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify({ token }));
  });
}

/** `count` verifications, `parallel` at a time, each on a fresh connection. */
async function verifyMany(url: string, token: string, count: number, parallel = 4): Promise<Answer[]> {
  const answers: Answer[] = [];
  for (let i = 0; i < count; i += parallel) {
    const batch = Array.from({ length: Math.min(parallel, count - i) }, () => verifyFresh(url, token));
    answers.push(...(await Promise.all(batch)));
  }
  return answers;
}

/** Known tokens cached, summed over every worker (the primary aggregates /metrics). */
async function cachedTokens(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const m = /^latchkey_verify_cache_entries\{kind="known"\} (\d+)/m.exec(text);
  if (!m) throw new Error(`no cache metric in /metrics:\n${text.slice(0, 2000)}`);
  return Number(m[1]);
}

/**
 * Verifies `token` over fresh connections until every worker has cached it: the cluster-wide count of
 * cached tokens rises by one per worker. Proves both workers answer, and readies the revocation test.
 */
async function cacheEverywhere(url: string, token: string, before: number, workers: number): Promise<number> {
  let verified = 0;
  await waitUntil(
    async () => {
      const answers = await verifyMany(url, token, 4);
      verified += answers.length;
      for (const a of answers) expect(a.code).toBe('valid');
      return (await cachedTokens(url)) >= before + workers;
    },
    20_000,
    20,
  );
  expect(await cachedTokens(url)).toBe(before + workers);
  return verified;
}

describe('latchkey serve --workers 2', () => {
  let database: TestDatabase;
  let env: Record<string, string>;
  let server: Server;
  let admin: string;
  let serviceAccountId: string;

  const createToken = async (name: string, settings: Record<string, unknown> = {}) => {
    const res = await api<{ token: string; item: { id: string } }>(
      server,
      admin,
      'POST',
      '/orgs/workers/tokens',
      { name, type: 'private', serviceAccountId, ...settings },
    );
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return { id: res.body.item.id, token: res.body.token };
  };

  beforeAll(async () => {
    database = await createTestDatabase('file');
    env = { DATABASE_URL: database.url, LATCHKEY_DB_POOL_MAX: '4' };
    server = await startServer(env, ['--workers', '2']);
  });
  afterAll(async () => {
    await server?.stop();
    await database?.drop();
  });

  it('prints the banner and the one-time setup link exactly once (the primary does)', async () => {
    const out = server.output();
    expect(out.match(/Latchkey is running at/g), out).toHaveLength(1);
    expect(out.match(/\/setup#token=[0-9A-Za-z]{40}/g), out).toHaveLength(1);
    // Set up through the CLI, beside the running workers, as an operator would.
    const boot = await runCli(
      ['bootstrap', '--org', 'workers', '--email', 'owner@workers.test', '--password-stdin', '--admin-token'],
      env,
      'workers password 1',
    );
    expect(boot.code, boot.stderr).toBe(0);
    admin = (JSON.parse(boot.stdout) as { token: string }).token;
    const sa = await api<{ id: string }>(server, admin, 'POST', '/orgs/workers/service-accounts', {
      name: 'backend',
    });
    expect(sa.status, JSON.stringify(sa.body)).toBe(201);
    serviceAccountId = sa.body.id;
  });

  it('a token revoked through one worker is refused by every worker within the bound', async () => {
    const { id, token } = await createToken('revoked-soon');
    // Both workers answer, and both have the token cached (as valid) before it is revoked.
    await cacheEverywhere(server.url, token, await cachedTokens(server.url), 2);

    const revoke = await api(server, admin, 'DELETE', `/orgs/workers/tokens/${id}`);
    expect(revoke.status, JSON.stringify(revoke.body)).toBe(204);
    const revokedAt = performance.now();

    // Hammer over fresh connections for longer than the bound, and with enough requests after it.
    const answers: Answer[] = [];
    while (
      performance.now() - revokedAt < HARD_BOUND_MS ||
      answers.filter((a) => a.sentAt > revokedAt + HARD_BOUND_MS).length < 40
    ) {
      answers.push(...(await verifyMany(server.url, token, 8, 8)));
    }
    const stale = answers.filter((a) => a.code === 'valid');
    const propagationMs = stale.length === 0 ? 0 : Math.max(...stale.map((a) => a.sentAt - revokedAt));
    console.log(
      `[workers ${TEST_STORE}] revocation: ${stale.length} stale 'valid' of ${answers.length} answers; last stale one sent ${propagationMs.toFixed(1)} ms after the revoke returned`,
    );
    expect(propagationMs).toBeLessThan(HARD_BOUND_MS);
    expect(
      answers.filter((a) => a.sentAt > revokedAt + HARD_BOUND_MS).every((a) => a.code === 'token_revoked'),
    ).toBe(true);
    for (const a of answers) expect(['valid', 'token_revoked']).toContain(a.code);
  }, 90_000);

  it('rate limits and quotas hold across the workers (counted in the primary, credits in the database)', async () => {
    const limit = 40;
    const limited = await createToken('limited', {
      rateLimits: [{ name: 'week', limit, windowSeconds: 7 * 86_400 }],
    });
    // Fresh connections: the kernel spreads them over both workers.
    const answers = await verifyMany(server.url, limited.token, 120, 8);
    const admitted = answers.filter((a) => a.code === 'valid').length;
    console.log(`[workers ${TEST_STORE}] rate limit ${limit}: ${admitted} of ${answers.length} admitted`);
    expect(admitted).toBeLessThanOrEqual(limit);
    expect(admitted).toBeGreaterThanOrEqual(limit - Math.ceil(2 * 1.25 * leaseSize(limit)));
    expect(answers.filter((a) => a.code === 'rate_limited')).toHaveLength(answers.length - admitted);

    const metered = await createToken('metered', { quota: { limit: 30, refill: null } });
    const spent = await verifyMany(server.url, metered.token, 60, 8);
    expect(spent.filter((a) => a.code === 'valid')).toHaveLength(30);
    expect(spent.filter((a) => a.code === 'quota_exhausted')).toHaveLength(30);
  }, 60_000);

  it('retire=on_first_use: the new value’s first use on one worker retires the old value on every worker', async () => {
    const { id, token: old } = await createToken('rotated-soon');
    await cacheEverywhere(server.url, old, await cachedTokens(server.url), 2);
    const rotated = await api<{ token: string }>(server, admin, 'POST', `/orgs/workers/tokens/${id}/rotate`, {
      retire: 'on_first_use',
    });
    expect(rotated.status, JSON.stringify(rotated.body)).toBe(201);
    // The old value keeps working on every worker until the new one is used…
    expect((await verifyMany(server.url, old, 8)).every((a) => a.code === 'valid')).toBe(true);
    expect((await verifyFresh(server.url, rotated.body.token)).code).toBe('valid');
    const usedAt = performance.now();
    // …and from then on, within the bound, on whichever worker answers.
    const answers: Answer[] = [];
    while (
      performance.now() - usedAt < HARD_BOUND_MS ||
      answers.filter((a) => a.sentAt > usedAt + HARD_BOUND_MS).length < 40
    ) {
      answers.push(...(await verifyMany(server.url, old, 8, 8)));
    }
    const late = answers.filter((a) => a.sentAt > usedAt + HARD_BOUND_MS);
    expect(late.every((a) => a.code === 'token_rotated')).toBe(true);
    for (const a of answers) expect(['valid', 'token_rotated']).toContain(a.code);
    expect((await verifyMany(server.url, rotated.body.token, 8)).every((a) => a.code === 'valid')).toBe(true);
  }, 90_000);

  it('SIGTERM stops every worker, and each flushes its usage: the counts add up exactly', async () => {
    const { id, token } = await createToken('counted');
    const warmUp = await cacheEverywhere(server.url, token, await cachedTokens(server.url), 2);
    const answers = await verifyMany(server.url, token, 57, 6);
    expect(answers.every((a) => a.code === 'valid')).toBe(true);
    // Right away: what the workers hold in memory now is only written by their shutdown.
    const code = await server.stop();
    expect(code, server.output()).toBe(0);

    server = await startServer(env);
    expect(server.output()).not.toMatch(/setup#token=/);
    const after = await api<{ usesLast7Days: number }>(server, admin, 'GET', `/orgs/workers/tokens/${id}`);
    expect(after.status, JSON.stringify(after.body)).toBe(200);
    expect(after.body.usesLast7Days).toBe(warmUp + answers.length);
  }, 90_000);
});
