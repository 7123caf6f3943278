import type SQLite from 'better-sqlite3';
import { sql, type Kysely } from 'kysely';
import { createUsageWriterThread } from '../usage-writer-client.js';
import type { DatabaseHandle } from '../dialect.js';
import type { Database, TokenUsageWarningsTable } from '../schema.js';

/** What one token's use since the last flush adds: the latest use, and a count per UTC day (YYYY-MM-DD). */
export interface TokenUsage {
  /** Null when it was only refused since the last flush. */
  lastUsedAt: string | null;
  lastUsedOrigin: string | null;
  days: Map<string, number>;
  /** Report-only warnings: count per day, warning code and origin or address (`usageWarningKey`). */
  warnings?: Map<string, number>;
  /** Refusals by `day\ncode`. */
  refusals?: Map<string, number>;
  /** Origins and (canonical) addresses of its successful uses. */
  sources?: UsageSource[];
}

export interface UsageSource {
  kind: 'origin' | 'address';
  value: string;
  firstSeen: string;
  lastSeen: string;
  count: number;
}

/** Origins and addresses kept per token and kind: the most recently seen. */
export const MAX_STORED_SOURCES = 20;
/**
 * Distinct sources remembered per token and kind for first-use notices (issue 16): a private token used
 * from an ever-changing fleet stops announcing new addresses after this many (until some are not seen
 * for the retention period and are forgotten), so neither the table nor the notices grow without end.
 */
export const MAX_KNOWN_SOURCES = 1000;

/** The first day (YYYY-MM-DD) usage is kept for, `retentionDays` back from `today`. */
export const usageCutoff = (today: string, retentionDays: number) =>
  new Date(Date.parse(today) - retentionDays * 86_400_000).toISOString().slice(0, 10);

/** One counted warning: its day (YYYY-MM-DD), code and subject (the origin or address; '' for none). */
export const usageWarningKey = (day: string, code: string, subject: string) => `${day}\n${code}\n${subject}`;
/** The key that counts `key`'s requests without a subject (its day and code, subject ''). */
export const usageWarningOverflowKey = (key: string) => key.slice(0, key.lastIndexOf('\n') + 1);
/**
 * Stored report-only subjects per token and day (beyond them, counted under ''), and how long they are kept:
 * whoever holds a leaked report-only token can send any Origin, and the table and the token page's query
 * must stay small whatever they send.
 */
export const MAX_STORED_WARNING_SUBJECTS = 50;
export const WARNING_RETENTION_DAYS = 30;
const retentionCutoff = (today: string) =>
  new Date(Date.parse(today) - WARNING_RETENTION_DAYS * 86_400_000).toISOString().slice(0, 10);

function splitWarningKey(key: string): [day: string, code: string, subject: string] {
  const a = key.indexOf('\n');
  const b = key.indexOf('\n', a + 1);
  return [key.slice(0, a), key.slice(a + 1, b), key.slice(b + 1)];
}

/** Usage keyed by token id. */
export type UsageBatch = Map<string, TokenUsage>;

export interface UsageWriter {
  /**
   * Applies `batch` in ONE transaction: all of it or none of it. Written to merge — counts add up and
   * last-used only moves forward — so instances flushing at once lose nothing, and a token that no longer
   * exists is skipped rather than failing the batch. Keep batches small (a few hundred tokens): on SQLite
   * nothing else runs on the connection, or on the event loop, while one is written.
   */
  applyUsage(batch: UsageBatch): Promise<void>;
  /** After the last flush: ends the writer thread, if there is one. */
  close(): Promise<void>;
  /** Where the writes run: the main thread, or a worker thread of their own (SQLite in a file). */
  readonly runsIn: 'main-thread' | 'worker-thread';
}

export interface UsageWriterOptions {
  /** LATCHKEY_USAGE_RETENTION_DAYS: older days (and sources not seen since) are deleted once a day. */
  retentionDays?: number;
}
export const DEFAULT_USAGE_RETENTION_DAYS = 90;

/** Rows per multi-row statement on PostgreSQL: 3 parameters each, far under the 65,535 limit. */
const PG_ROWS_PER_STATEMENT = 1000;

/**
 * The SQLite usage statements on `sqlite`, prepared once and run per row inside one better-sqlite3
 * transaction (Kysely would re-prepare each of them: ~60 µs against ~3 µs). Used by the writer thread
 * (usage-writer-thread.ts) on its own connection, and in process for an in-memory database.
 */
export function sqliteUsageTransaction(
  sqlite: SQLite.Database,
  opts: UsageWriterOptions = {},
): (batch: UsageBatch) => void {
  const retentionDays = opts.retentionDays ?? DEFAULT_USAGE_RETENTION_DAYS;
  const touch = sqlite.prepare<[string, string | null, string, string]>(
    'update tokens set last_used_at = ?, last_used_origin = ? where id = ? and (last_used_at is null or last_used_at < ?)',
  );
  // `where exists`: the foreign key would refuse a deleted token's row, and with it the whole batch.
  const count = sqlite.prepare<[string, string, number, string]>(
    `insert into token_usage_daily (token_id, day, count) select ?, ?, ? where exists (select 1 from tokens where id = ?)
     on conflict (token_id, day) do update set count = token_usage_daily.count + excluded.count`,
  );
  // A subject the day already has, or one more while the day has fewer than the bound; else ''.
  const warn = sqlite.prepare<{
    token: string;
    day: string;
    code: string;
    subject: string;
    n: number;
    max: number;
  }>(
    `insert into token_usage_warnings (token_id, day, code, subject, count)
     select :token, :day, :code,
            case when exists (select 1 from token_usage_warnings
                              where token_id = :token and day = :day and code = :code and subject = :subject)
                   or (select count(*) from token_usage_warnings where token_id = :token and day = :day) < :max
                 then :subject else '' end,
            :n
     where exists (select 1 from tokens where id = :token)
     on conflict (token_id, day, code, subject) do update set count = token_usage_warnings.count + excluded.count`,
  );
  const refused = sqlite.prepare<[string, string, string, number, string]>(
    `insert into token_usage_codes (token_id, day, code, count) select ?, ?, ?, ? where exists (select 1 from tokens where id = ?)
     on conflict (token_id, day, code) do update set count = token_usage_codes.count + excluded.count`,
  );
  const source = sqlite.prepare<[string, string, string, string, string, number, string]>(
    `insert into token_usage_sources (token_id, kind, value, first_seen, last_seen, count)
     select ?, ?, ?, ?, ?, ? where exists (select 1 from tokens where id = ?)
     on conflict (token_id, kind, value) do update set
       first_seen = min(token_usage_sources.first_seen, excluded.first_seen),
       last_seen = max(token_usage_sources.last_seen, excluded.last_seen),
       count = token_usage_sources.count + excluded.count`,
  );
  // Every source a token was used from (up to MAX_KNOWN_SOURCES per kind), for its first-use notice: a new
  // row waits (notified_at null) for the notices to announce it (webhooks/notices.ts).
  const known = sqlite.prepare<{
    token: string;
    kind: string;
    value: string;
    first: string;
    last: string;
    max: number;
  }>(
    `insert into token_known_sources (token_id, kind, value, first_seen, last_seen)
     select :token, :kind, :value, :first, :last
     where exists (select 1 from tokens where id = :token)
       and (exists (select 1 from token_known_sources where token_id = :token and kind = :kind and value = :value)
            or (select count(*) from token_known_sources where token_id = :token and kind = :kind) < :max)
     on conflict (token_id, kind, value) do update set last_seen = max(token_known_sources.last_seen, excluded.last_seen)`,
  );
  // The most recent MAX_STORED_SOURCES of a kind stay; the rest of that token's go.
  const trimSources = sqlite.prepare<[string, string, string, string, number]>(
    `delete from token_usage_sources where token_id = ? and kind = ? and value not in (
       select value from token_usage_sources where token_id = ? and kind = ? order by last_seen desc, value limit ?)`,
  );
  const prune = sqlite.prepare<[string]>('delete from token_usage_warnings where day < ?');
  const pruneDays = sqlite.prepare<[string]>('delete from token_usage_daily where day < ?');
  const pruneCodes = sqlite.prepare<[string]>('delete from token_usage_codes where day < ?');
  const pruneSources = sqlite.prepare<[string]>('delete from token_usage_sources where last_seen < ?');
  const pruneKnown = sqlite.prepare<[string]>('delete from token_known_sources where last_seen < ?');
  let prunedOn = '';
  const write = sqlite.transaction((batch: UsageBatch) => {
    for (const [tokenId, u] of batch) {
      if (u.lastUsedAt !== null) touch.run(u.lastUsedAt, u.lastUsedOrigin, tokenId, u.lastUsedAt);
      for (const [day, n] of u.days) count.run(tokenId, day, n, tokenId);
      if (u.refusals)
        for (const [key, n] of u.refusals) {
          const cut = key.indexOf('\n');
          refused.run(tokenId, key.slice(0, cut), key.slice(cut + 1), n, tokenId);
        }
      if (u.sources) {
        const kinds = new Set<string>();
        for (const x of u.sources) {
          source.run(tokenId, x.kind, x.value, x.firstSeen, x.lastSeen, x.count, tokenId);
          known.run({
            token: tokenId,
            kind: x.kind,
            value: x.value,
            first: x.firstSeen,
            last: x.lastSeen,
            max: MAX_KNOWN_SOURCES,
          });
          kinds.add(x.kind);
        }
        for (const kind of kinds) trimSources.run(tokenId, kind, tokenId, kind, MAX_STORED_SOURCES);
      }
      if (u.warnings)
        for (const [key, n] of u.warnings) {
          const [day, code, subject] = splitWarningKey(key);
          warn.run({ token: tokenId, day, code, subject, n, max: MAX_STORED_WARNING_SUBJECTS });
        }
    }
    // Once a day per writer: what report-only counted past the retention goes.
    const today = new Date().toISOString().slice(0, 10);
    if (prunedOn !== today) {
      prune.run(retentionCutoff(today));
      const cutoff = usageCutoff(today, retentionDays);
      pruneDays.run(cutoff);
      pruneCodes.run(cutoff);
      pruneSources.run(cutoff);
      pruneKnown.run(cutoff);
      prunedOn = today;
    }
  });
  // BEGIN IMMEDIATE: wait (busy_timeout) for another connection's write lock instead of failing.
  return (batch) => write.immediate(batch);
}

/**
 * The usage flush's writes.
 *
 * SQLite in a file: on a connection of their own in a worker thread. On the main thread a chunk held the
 * event loop while it was written, and every verification waited behind it (one hot token: p99 3.3 ms
 * without flushes, 18.7 ms with a 1M-token mix's flushes; bench/RESULTS.md). WAL lets the main
 * connection's lookups read meanwhile; a management write waits for the chunk's lock like any other
 * process's (`serve --workers`, the CLI).
 *
 * SQLite in memory (tests, `sqlite::memory:`): no other connection can see it, so in process, while
 * holding Kysely's connection so that the write never lands inside a management transaction still open.
 *
 * PostgreSQL: one multi-row statement per table (UPDATE … FROM (VALUES …), INSERT … ON CONFLICT).
 */
export function createUsageWriter(
  handle: Pick<DatabaseHandle, 'db' | 'dialect' | 'sqlite'>,
  opts: UsageWriterOptions = {},
): UsageWriter {
  const { db, sqlite } = handle;
  const retentionDays = opts.retentionDays ?? DEFAULT_USAGE_RETENTION_DAYS;
  if (sqlite && !sqlite.memory) return createUsageWriterThread(sqlite.name, { retentionDays });
  if (sqlite) {
    const write = sqliteUsageTransaction(sqlite, { retentionDays });
    return {
      async applyUsage(batch) {
        if (batch.size === 0) return;
        // Kysely's single SQLite connection is behind a mutex: holding it means no Kysely transaction is
        // open, so this one is a real BEGIN…COMMIT of its own (not a savepoint in someone else's).
        await db.connection().execute(() => Promise.resolve(write(batch)));
      },
      async close() {},
      runsIn: 'main-thread',
    };
  }
  let prunedOn = '';
  return {
    async applyUsage(batch) {
      if (batch.size === 0) return;
      const tokens = [...batch]
        .filter(([, u]) => u.lastUsedAt !== null)
        .map(([id, u]) => sql`(${id}::text, ${u.lastUsedAt}::timestamptz, ${u.lastUsedOrigin}::text)`);
      const refusals = [...batch].flatMap(([id, u]) =>
        [...(u.refusals ?? [])].map(([key, n]) => {
          const cut = key.indexOf('\n');
          return sql`(${id}::text, ${key.slice(0, cut)}::text, ${key.slice(cut + 1)}::text, ${n}::bigint)`;
        }),
      );
      const sources = [...batch].flatMap(([id, u]) =>
        (u.sources ?? []).map(
          (x) =>
            sql`(${id}::text, ${x.kind}::text, ${x.value}::text, ${x.firstSeen}::text, ${x.lastSeen}::text, ${x.count}::bigint)`,
        ),
      );
      const sourced = [...batch].filter(([, u]) => u.sources).map(([id]) => id);
      const days = [...batch].flatMap(([id, u]) =>
        [...u.days].map(([day, n]) => sql`(${id}::text, ${day}::text, ${n}::bigint)`),
      );
      const warnings = [...batch].flatMap(([id, u]) =>
        [...(u.warnings ?? [])].map(([key, n]) => {
          const [day, code, subject] = splitWarningKey(key);
          return sql`(${id}::text, ${day}::text, ${code}::text, ${subject}::text, ${n}::bigint)`;
        }),
      );
      const today = new Date().toISOString().slice(0, 10);
      await db.transaction().execute(async (trx) => {
        if (prunedOn !== today) {
          await sql`delete from token_usage_warnings where day < ${retentionCutoff(today)}`.execute(trx);
          const cutoff = usageCutoff(today, retentionDays);
          await sql`delete from token_usage_daily where day < ${cutoff}`.execute(trx);
          await sql`delete from token_usage_codes where day < ${cutoff}`.execute(trx);
          await sql`delete from token_usage_sources where last_seen < ${cutoff}`.execute(trx);
          await sql`delete from token_known_sources where last_seen < ${cutoff}`.execute(trx);
          prunedOn = today;
        }
        for (let i = 0; i < refusals.length; i += PG_ROWS_PER_STATEMENT) {
          await sql`insert into token_usage_codes (token_id, day, code, count)
            select v.token_id, v.day, v.code, v.count from (values ${sql.join(refusals.slice(i, i + PG_ROWS_PER_STATEMENT))}) as v (token_id, day, code, count)
            where exists (select 1 from tokens t where t.id = v.token_id)
            on conflict (token_id, day, code) do update set count = token_usage_codes.count + excluded.count`.execute(
            trx,
          );
        }
        for (let i = 0; i < sources.length; i += PG_ROWS_PER_STATEMENT) {
          await sql`insert into token_usage_sources (token_id, kind, value, first_seen, last_seen, count)
            select v.token_id, v.kind, v.value, v.first_seen, v.last_seen, v.count
            from (values ${sql.join(sources.slice(i, i + PG_ROWS_PER_STATEMENT))}) as v (token_id, kind, value, first_seen, last_seen, count)
            where exists (select 1 from tokens t where t.id = v.token_id)
            on conflict (token_id, kind, value) do update set
              first_seen = least(token_usage_sources.first_seen, excluded.first_seen),
              last_seen = greatest(token_usage_sources.last_seen, excluded.last_seen),
              count = token_usage_sources.count + excluded.count`.execute(trx);
        }
        // Known sources (first-use notices): new ones up to MAX_KNOWN_SOURCES per token and kind.
        for (let i = 0; i < sources.length; i += PG_ROWS_PER_STATEMENT) {
          await sql`insert into token_known_sources (token_id, kind, value, first_seen, last_seen)
            select v.token_id, v.kind, v.value, v.first_seen, v.last_seen
            from (values ${sql.join(sources.slice(i, i + PG_ROWS_PER_STATEMENT))}) as v (token_id, kind, value, first_seen, last_seen, count)
            where exists (select 1 from tokens t where t.id = v.token_id)
              and (exists (select 1 from token_known_sources k where k.token_id = v.token_id and k.kind = v.kind and k.value = v.value)
                   or (select count(*) from token_known_sources k where k.token_id = v.token_id and k.kind = v.kind) < ${MAX_KNOWN_SOURCES})
            on conflict (token_id, kind, value) do update set
              last_seen = greatest(token_known_sources.last_seen, excluded.last_seen)`.execute(trx);
        }
        // The most recent MAX_STORED_SOURCES per token and kind stay.
        for (let i = 0; i < sourced.length; i += PG_ROWS_PER_STATEMENT) {
          await sql`delete from token_usage_sources s using (
              select token_id, kind, value, row_number() over (partition by token_id, kind order by last_seen desc, value) as rank
              from token_usage_sources where token_id in (${sql.join(sourced.slice(i, i + PG_ROWS_PER_STATEMENT))})
            ) r
            where s.token_id = r.token_id and s.kind = r.kind and s.value = r.value and r.rank > ${MAX_STORED_SOURCES}`.execute(
            trx,
          );
        }
        for (let i = 0; i < tokens.length; i += PG_ROWS_PER_STATEMENT) {
          await sql`update tokens as t set last_used_at = v.at, last_used_origin = v.origin
            from (values ${sql.join(tokens.slice(i, i + PG_ROWS_PER_STATEMENT))}) as v (id, at, origin)
            where t.id = v.id and (t.last_used_at is null or t.last_used_at < v.at)`.execute(trx);
        }
        for (let i = 0; i < days.length; i += PG_ROWS_PER_STATEMENT) {
          await sql`insert into token_usage_daily (token_id, day, count)
            select v.token_id, v.day, v.count from (values ${sql.join(days.slice(i, i + PG_ROWS_PER_STATEMENT))}) as v (token_id, day, count)
            where exists (select 1 from tokens t where t.id = v.token_id)
            on conflict (token_id, day) do update set count = token_usage_daily.count + excluded.count`.execute(
            trx,
          );
        }
        // As on SQLite: a subject the day already has, or a new one while there is room (ranked within the
        // statement, most requests first, since its own rows are not visible to its subqueries); else ''.
        for (let i = 0; i < warnings.length; i += PG_ROWS_PER_STATEMENT) {
          await sql`insert into token_usage_warnings (token_id, day, code, subject, count)
            select token_id, day, code, case when known or fresh <= room then subject else '' end, sum(count)
            from (
              select v.token_id, v.day, v.code, v.subject, v.count, k.known,
                     greatest(0, ${MAX_STORED_WARNING_SUBJECTS} - (select count(*) from token_usage_warnings w
                                 where w.token_id = v.token_id and w.day = v.day)) as room,
                     row_number() over (partition by v.token_id, v.day, k.known order by v.count desc) as fresh
              from (values ${sql.join(warnings.slice(i, i + PG_ROWS_PER_STATEMENT))}) as v (token_id, day, code, subject, count)
              cross join lateral (select exists (select 1 from token_usage_warnings w where w.token_id = v.token_id
                                  and w.day = v.day and w.code = v.code and w.subject = v.subject) as known) k
              where exists (select 1 from tokens t where t.id = v.token_id)
            ) x
            group by 1, 2, 3, 4
            on conflict (token_id, day, code, subject) do update set count = token_usage_warnings.count + excluded.count`.execute(
            trx,
          );
        }
      });
    },
    async close() {},
    runsIn: 'main-thread',
  };
}

/** Usage read back for the management API. */
export function usageQueries(db: Kysely<Database>) {
  return {
    /** Uses per token over the days from `sinceDay` (YYYY-MM-DD) on. */
    async totalsSince(tokenIds: string[], sinceDay: string): Promise<Map<string, number>> {
      const out = new Map<string, number>();
      if (tokenIds.length === 0) return out;
      for (let i = 0; i < tokenIds.length; i += 500) {
        const rows = await db
          .selectFrom('tokenUsageDaily')
          .select(['tokenId', (eb) => eb.fn.sum<number>('count').as('n')])
          .where('tokenId', 'in', tokenIds.slice(i, i + 500))
          .where('day', '>=', sinceDay)
          .groupBy('tokenId')
          .execute();
        for (const r of rows) out.set(r.tokenId, Number(r.n));
      }
      return out;
    },
    /** What report-only allowlists let through since `sinceDay`, per warning and subject, most first. */
    async warningsSince(
      tokenId: string,
      sinceDay: string,
      limit = 50,
    ): Promise<{ code: TokenUsageWarningsTable['code']; subject: string; count: number }[]> {
      const rows = await db
        .selectFrom('tokenUsageWarnings')
        .select(['code', 'subject', (eb) => eb.fn.sum<number>('count').as('n')])
        .where('tokenId', '=', tokenId)
        .where('day', '>=', sinceDay)
        .groupBy(['code', 'subject'])
        .orderBy('n', 'desc')
        .orderBy('code')
        .orderBy('subject')
        .limit(limit)
        .execute();
      return rows.map((r) => ({ code: r.code, subject: r.subject, count: Number(r.n) }));
    },
    /**
     * Per day from `from` to `to` (YYYY-MM-DD, both included): successes and refusals by code, and the
     * origins and addresses seen, most recent first.
     */
    async report(tokenId: string, from: string, to: string) {
      const valid = await db
        .selectFrom('tokenUsageDaily')
        .select(['day', 'count'])
        .where('tokenId', '=', tokenId)
        .where('day', '>=', from)
        .where('day', '<=', to)
        .execute();
      const refused = await db
        .selectFrom('tokenUsageCodes')
        .select(['day', 'code', 'count'])
        .where('tokenId', '=', tokenId)
        .where('day', '>=', from)
        .where('day', '<=', to)
        .execute();
      const sources = await db
        .selectFrom('tokenUsageSources')
        .select(['kind', 'value', 'firstSeen', 'lastSeen', 'count'])
        .where('tokenId', '=', tokenId)
        .orderBy('lastSeen', 'desc')
        .orderBy('value')
        .execute();
      return {
        valid: valid.map((r) => ({ day: r.day, count: Number(r.count) })),
        refused: refused.map((r) => ({ day: r.day, code: r.code, count: Number(r.count) })),
        sources: sources.map((r) => ({ ...r, count: Number(r.count) })),
      };
    },
    async daily(tokenId: string, sinceDay: string): Promise<{ day: string; count: number }[]> {
      const rows = await db
        .selectFrom('tokenUsageDaily')
        .select(['day', 'count'])
        .where('tokenId', '=', tokenId)
        .where('day', '>=', sinceDay)
        .orderBy('day')
        .execute();
      return rows.map((r) => ({ day: r.day, count: Number(r.count) }));
    },
  };
}
