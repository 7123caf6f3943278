import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUsageWriter, type TokenUsage, type UsageWriter } from '../../src/store/queries/usage.js';
import { createUsageRecorder } from '../../src/verify/usage.js';
import {
  createOrg,
  createServiceAccount,
  createToken,
  startInstance,
  type Org,
  type TestInstance,
} from '../helpers/harness.js';

/**
 * The usage flush against the real store (SQLite here; PostgreSQL in the postgres project): chunked
 * transactions that merge, skip unknown tokens, put back what a failed chunk did not write, and never
 * land inside someone else's transaction.
 */
let lk: TestInstance;
let org: Org;
let saId: string;
let writer: UsageWriter;

beforeAll(async () => {
  lk = await startInstance();
  org = await createOrg(lk);
  saId = (await createServiceAccount(lk, org, 'usage-flush')).id;
  writer = createUsageWriter(lk.handle);
});
afterAll(async () => {
  await lk?.close();
});

let made = 0;
async function newTokens(n: number): Promise<string[]> {
  const ids: string[] = [];
  // Each its own name across calls: one owner's live tokens may not share one.
  for (let i = 0; i < n; i++)
    ids.push((await createToken(lk, org, { serviceAccountId: saId, name: `usage ${made++}` })).item.id);
  return ids;
}

async function lastUsed(tokenId: string): Promise<{ at: string | null; origin: string | null }> {
  const row = await lk.handle.db
    .selectFrom('tokens')
    .select(['lastUsedAt', 'lastUsedOrigin'])
    .where('id', '=', tokenId)
    .executeTakeFirstOrThrow();
  return {
    at: row.lastUsedAt === null ? null : new Date(row.lastUsedAt).toISOString(),
    origin: row.lastUsedOrigin,
  };
}

async function counts(tokenId: string): Promise<Record<string, number>> {
  return Object.fromEntries((await lk.store.usage.daily(tokenId, '2000-01-01')).map((d) => [d.day, d.count]));
}

function usage(at: string, origin: string | null, days: Record<string, number>): TokenUsage {
  return { lastUsedAt: at, lastUsedOrigin: origin, days: new Map(Object.entries(days)) };
}

describe('usage writer (one transaction per batch)', () => {
  it('adds counts up, moves last-used only forward, and skips a token that no longer exists', async () => {
    const [a, b] = await newTokens(2);
    await writer.applyUsage(
      new Map([
        [
          a!,
          usage('2030-01-02T10:00:00.000Z', 'https://a.example.com', { '2030-01-01': 2, '2030-01-02': 3 }),
        ],
        ['tok_deletedmeanwhile0000', usage('2030-01-02T10:00:00.000Z', null, { '2030-01-02': 1 })],
        [b!, usage('2030-01-02T11:00:00.000Z', null, { '2030-01-02': 1 })],
      ]),
    );
    // An older use (another instance's late flush) adds its count but does not move last-used back.
    await writer.applyUsage(
      new Map([[a!, usage('2030-01-01T09:00:00.000Z', 'https://old.example.com', { '2030-01-02': 4 })]]),
    );
    expect(await counts(a!)).toEqual({ '2030-01-01': 2, '2030-01-02': 7 });
    expect(await lastUsed(a!)).toEqual({ at: '2030-01-02T10:00:00.000Z', origin: 'https://a.example.com' });
    expect(await counts(b!)).toEqual({ '2030-01-02': 1 });
    expect(await lastUsed(b!)).toEqual({ at: '2030-01-02T11:00:00.000Z', origin: null });
    // A later one moves it forward.
    await writer.applyUsage(
      new Map([[a!, usage('2030-01-03T00:00:01.000Z', 'https://new.example.com', { '2030-01-03': 1 })]]),
    );
    expect(await lastUsed(a!)).toEqual({ at: '2030-01-03T00:00:01.000Z', origin: 'https://new.example.com' });
    const unknown = await lk.handle.db
      .selectFrom('tokenUsageDaily')
      .select('tokenId')
      .where('tokenId', '=', 'tok_deletedmeanwhile0000')
      .execute();
    expect(unknown).toEqual([]);
  });

  it('waits for an open management transaction instead of writing inside it (its rollback keeps the usage)', async () => {
    const [t] = await newTokens(1);
    let settled = false;
    let write: Promise<void> | undefined;
    await expect(
      lk.handle.db.transaction().execute(async (trx) => {
        await trx
          .updateTable('tokens')
          .set({ name: 'renamed, then rolled back' })
          .where('id', '=', t!)
          .execute();
        write = writer.applyUsage(
          new Map([[t!, usage('2030-02-01T00:00:00.000Z', null, { '2030-02-01': 5 })]]),
        );
        void write.then(() => (settled = true));
        // One turn of the event loop for the write to start if it could (the test: on SQLite it cannot).
        await new Promise((r) => setImmediate(r));
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    // On SQLite the write could not start before the rollback; on PostgreSQL it ran on another connection.
    if (lk.handle.dialect === 'sqlite') expect(settled).toBe(false);
    await write;
    expect(await counts(t!)).toEqual({ '2030-02-01': 5 });
    const row = await lk.handle.db
      .selectFrom('tokens')
      .select('name')
      .where('id', '=', t!)
      .executeTakeFirstOrThrow();
    expect(row.name).toMatch(/^usage \d+$/); // the rename rolled back
  });
});

describe('usage recorder: chunked flush', () => {
  it('writes every token in chunks of chunkSize, yielding to the event loop between chunks', async () => {
    const ids = await newTokens(7);
    const chunks: string[][] = [];
    const recorder = createUsageRecorder({
      intervalMs: 3_600_000,
      chunkSize: 3,
      store: {
        async applyUsage(batch) {
          chunks.push([...batch.keys()]);
          await writer.applyUsage(batch);
        },
      },
    });
    for (const id of ids) for (let i = 0; i < 3; i++) recorder.record(id, 'https://chunk.example.com');
    let sawImmediate = 0;
    const probe = () => {
      sawImmediate += 1;
      if (chunks.length < 3) setImmediate(probe);
    };
    setImmediate(probe);
    await recorder.flush();
    expect(chunks.map((c) => c.length)).toEqual([3, 3, 1]);
    expect(chunks.flat().sort()).toEqual([...ids].sort());
    // The probe ran between chunks (on SQLite, where writing involves no I/O, only because the flush
    // yields to the event loop): it was not held for the whole flush.
    expect(sawImmediate).toBeGreaterThanOrEqual(2);
    const today = new Date().toISOString().slice(0, 10);
    for (const id of ids) expect(await counts(id), id).toEqual({ [today]: 3 });
    await recorder.close();
  });

  it('a failed chunk puts back exactly what was not written: nothing lost, nothing counted twice', async () => {
    const ids = await newTokens(5);
    let calls = 0;
    const errors: unknown[] = [];
    const recorder = createUsageRecorder({
      intervalMs: 3_600_000,
      chunkSize: 2,
      onError: (err) => errors.push(err),
      store: {
        async applyUsage(batch) {
          calls += 1;
          if (calls === 2) {
            // Half written, then the transaction fails: the rollback must leave no trace of this chunk.
            await lk.handle.db.transaction().execute(async (trx) => {
              await trx
                .insertInto('tokenUsageDaily')
                .values({ tokenId: [...batch.keys()][0]!, day: '2001-01-01', count: 99 })
                .execute();
              throw new Error('disk full');
            });
          }
          await writer.applyUsage(batch);
        },
      },
    });
    const today = new Date().toISOString().slice(0, 10);
    for (const id of ids) recorder.record(id, 'https://first.example.com');
    await recorder.flush();
    expect(errors).toHaveLength(1);
    expect(calls).toBe(2); // chunk 1 written, chunk 2 failed, chunk 3 not tried
    const after1 = await Promise.all(ids.map((id) => counts(id)));
    expect(after1).toEqual([{ [today]: 1 }, { [today]: 1 }, {}, {}, {}]);
    // More use before the retry: it adds to what was put back.
    recorder.record(ids[2]!, 'https://second.example.com');
    recorder.record(ids[3]!, null); // an origin-less use keeps the origin of the use put back
    await recorder.flush();
    const after2 = await Promise.all(ids.map((id) => counts(id)));
    expect(after2).toEqual([{ [today]: 1 }, { [today]: 1 }, { [today]: 2 }, { [today]: 2 }, { [today]: 1 }]);
    expect((await lastUsed(ids[2]!)).origin).toBe('https://second.example.com');
    expect((await lastUsed(ids[3]!)).origin).toBe('https://first.example.com');
    // Nothing left over: another flush writes nothing.
    const before = calls;
    await recorder.flush();
    expect(calls).toBe(before);
    await recorder.close();
  });

  it('counts each UTC day apart across midnight, also when a failed chunk is put back', async () => {
    const [t] = await newTokens(1);
    let clock = Date.parse('2031-05-01T23:59:58.000Z');
    let fail = true;
    const recorder = createUsageRecorder({
      intervalMs: 3_600_000,
      now: () => clock,
      onError: () => {},
      store: {
        async applyUsage(batch) {
          if (fail) throw new Error('database away');
          await writer.applyUsage(batch);
        },
      },
    });
    recorder.record(t!, 'https://late.example.com');
    recorder.record(t!, null);
    clock = Date.parse('2031-05-02T00:00:01.000Z');
    recorder.record(t!, null);
    await recorder.flush(); // fails: everything is put back
    // After the put-back: an earlier day again (a late use recorded out of order), and the new day.
    clock = Date.parse('2031-05-01T23:59:59.000Z');
    recorder.record(t!, null);
    clock = Date.parse('2031-05-02T00:00:02.000Z');
    recorder.record(t!, 'https://early.example.com');
    fail = false;
    await recorder.flush();
    expect(await counts(t!)).toEqual({ '2031-05-01': 3, '2031-05-02': 2 });
    expect(await lastUsed(t!)).toEqual({
      at: '2031-05-02T00:00:02.000Z',
      origin: 'https://early.example.com',
    });
    await recorder.close();
  });
});
