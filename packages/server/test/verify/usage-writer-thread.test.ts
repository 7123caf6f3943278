import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUsageWriter, type TokenUsage, type UsageWriter } from '../../src/store/queries/usage.js';
import {
  call,
  createOrg,
  createServiceAccount,
  createToken,
  startInstance,
  type Org,
  type TestInstance,
} from '../helpers/harness.js';
import { tempDir } from '../helpers/process.js';

/**
 * On SQLite in a file the usage flush writes from a worker thread on a connection of its own, so that
 * verifications never wait behind a chunk (SQLite only: PostgreSQL's writes are asynchronous already).
 */
let lk: TestInstance;
let org: Org;
let saId: string;
let writer: UsageWriter;

beforeAll(async () => {
  lk = await startInstance({ DATABASE_URL: `sqlite:${join(tempDir('latchkey-usage-'), 'latchkey.db')}` });
  org = await createOrg(lk);
  saId = (await createServiceAccount(lk, org, 'usage-thread')).id;
  writer = createUsageWriter(lk.handle);
});
afterAll(async () => {
  await writer?.close();
  await lk?.close();
});

const usage = (at: string, days: Record<string, number>): TokenUsage => ({
  lastUsedAt: at,
  lastUsedOrigin: 'https://thread.example.com',
  days: new Map(Object.entries(days)),
});

async function row(tokenId: string) {
  const t = await lk.handle.db
    .selectFrom('tokens')
    .select(['lastUsedAt', 'lastUsedOrigin'])
    .where('id', '=', tokenId)
    .executeTakeFirstOrThrow();
  const days = await lk.store.usage.daily(tokenId, '2000-01-01');
  return { at: t.lastUsedAt && new Date(t.lastUsedAt).toISOString(), origin: t.lastUsedOrigin, days };
}

/** setImmediate turns the main thread gets while `work` is pending: 0 or 1 if `work` held it. */
async function turnsDuring(work: Promise<unknown>): Promise<number> {
  let turns = 0;
  let done = false;
  const tick = () => {
    if (done) return;
    turns += 1;
    setImmediate(tick);
  };
  setImmediate(tick);
  await work.finally(() => (done = true));
  return turns;
}

describe('usage writer thread (SQLite in a file)', () => {
  it('writes in a worker thread what the main connection then reads', async () => {
    expect(writer.runsIn).toBe('worker-thread');
    const { item } = await createToken(lk, org, { serviceAccountId: saId, name: 'thread a' });
    await writer.applyUsage(new Map([[item.id, usage('2030-03-01T10:00:00.000Z', { '2030-03-01': 4 })]]));
    expect(await row(item.id)).toEqual({
      at: '2030-03-01T10:00:00.000Z',
      origin: 'https://thread.example.com',
      days: [{ day: '2030-03-01', count: 4 }],
    });
  });

  it('leaves the main thread free while a large batch is written', async () => {
    const { item } = await createToken(lk, org, { serviceAccountId: saId, name: 'thread big' });
    // 30,000 rows in one transaction (tokens that no longer exist are skipped, and cost a lookup each).
    const batch = new Map<string, TokenUsage>();
    for (let i = 0; i < 30_000; i++)
      batch.set(
        `tok_gone${String(i).padStart(16, '0')}`,
        usage('2030-03-02T00:00:00.000Z', { '2030-03-02': 1 }),
      );
    batch.set(item.id, usage('2030-03-02T00:00:00.000Z', { '2030-03-02': 2 }));
    const turns = await turnsDuring(writer.applyUsage(batch));
    // Written on the main thread, the whole transaction would run inside one turn.
    expect(turns).toBeGreaterThan(5);
    expect((await row(item.id)).days).toEqual([{ day: '2030-03-02', count: 2 }]);
    // What the main thread did meanwhile: a verification, answered while the thread writes.
    const { token } = await createToken(lk, org, { serviceAccountId: saId, name: 'thread verify' });
    const verified = call(lk, null, 'POST', '/api/v1/verify', { token });
    const [res] = await Promise.all([verified, writer.applyUsage(batch)]);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ valid: true });
  });

  it('a failed batch rolls back and rejects with its error; the next batch is written', async () => {
    const { item } = await createToken(lk, org, { serviceAccountId: saId, name: 'thread fail' });
    await lk.handle.db.schema.alterTable('token_usage_daily').renameTo('token_usage_daily_away').execute();
    try {
      await expect(
        writer.applyUsage(new Map([[item.id, usage('2030-04-01T00:00:00.000Z', { '2030-04-01': 1 })]])),
      ).rejects.toThrow(/token_usage_daily/);
    } finally {
      await lk.handle.db.schema.alterTable('token_usage_daily_away').renameTo('token_usage_daily').execute();
    }
    // The update of last-used in the same transaction was rolled back with it.
    expect(await row(item.id)).toEqual({ at: null, origin: null, days: [] });
    await writer.applyUsage(new Map([[item.id, usage('2030-04-02T00:00:00.000Z', { '2030-04-02': 3 })]]));
    expect(await row(item.id)).toMatchObject({
      at: '2030-04-02T00:00:00.000Z',
      days: [{ day: '2030-04-02', count: 3 }],
    });
  });

  it('the server flushes what was recorded through its thread when it closes', async () => {
    const path = join(tempDir('latchkey-usage-close-'), 'latchkey.db');
    const first = await startInstance({ DATABASE_URL: `sqlite:${path}` });
    const o = await createOrg(first);
    const sa = await createServiceAccount(first, o, 'closing');
    const { item, token } = await createToken(first, o, { serviceAccountId: sa.id, name: 'closing' });
    for (let i = 0; i < 3; i++)
      expect((await call(first, null, 'POST', '/api/v1/verify', { token })).json()).toMatchObject({
        valid: true,
      });
    await first.close();
    const again = await startInstance({ DATABASE_URL: `sqlite:${path}` });
    try {
      const days = await again.store.usage.daily(item.id, '2000-01-01');
      expect(days.map((d) => d.count)).toEqual([3]);
    } finally {
      await again.close();
    }
  });
});
