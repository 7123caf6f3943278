import type SQLite from 'better-sqlite3';
import { sql, type Kysely } from 'kysely';
import { refillsDue, type QuotaRule } from '../../domain/token-limits.js';
import type { Database } from '../schema.js';

/**
 * Credits a verification needs to pass: its cost, and at least one — a cost-0 check passes only while the
 * token has a credit left, so that it says whether the next request would.
 */
const needed = (cost: number) => Math.max(cost, 1);

/** A balance as answers show it: what can be spent, never below zero. */
export const shownBalance = (remaining: number) => Math.max(0, remaining);

export interface QuotaBalance {
  remaining: number;
  refilledAt: string;
}

/**
 * The balance with the refills due by `nowMs` counted (what a spend now would start from). It may be
 * negative after a limit was lowered below what was spent (domain/token-limits.ts balanceAfterChange):
 * answers show `shownBalance`.
 */
export function balanceNow(rule: QuotaRule, b: QuotaBalance, nowMs: number): number {
  if (!rule.refill) return b.remaining;
  const due = refillsDue(rule.refill.interval, Date.parse(b.refilledAt), nowMs);
  return due === 0 ? b.remaining : Math.min(rule.limit, b.remaining + due * rule.refill.amount);
}

/**
 * Quota balances (issue 15). A spend is exact under any concurrency, on both stores and across instances:
 * it is one conditional UPDATE (`remaining >= cost`), which PostgreSQL re-checks on the row it locked and
 * SQLite runs under its write lock — two verifiers can never both spend the last credit. A refill due is
 * applied first by a compare-and-set on `refilled_at`, so only one of them applies it, and it adds to the
 * balance in SQL (a spend between the read and the refill is not lost).
 */
export function quotaQueries(db: Kysely<Database>) {
  const read = (tokenId: string) =>
    db
      .selectFrom('tokenQuotas')
      .select(['remaining', 'refilledAt'])
      .where('tokenId', '=', tokenId)
      .executeTakeFirst();

  return {
    /** Sets a token's balance (a quota set or changed), counting refills from `at`. */
    async set(tokenId: string, remaining: number, at: string): Promise<void> {
      await db
        .insertInto('tokenQuotas')
        .values({ tokenId, remaining, refilledAt: at })
        .onConflict((oc) => oc.column('tokenId').doUpdateSet({ remaining, refilledAt: at }))
        .execute();
    },
    async remove(tokenId: string): Promise<void> {
      await db.deleteFrom('tokenQuotas').where('tokenId', '=', tokenId).execute();
    },
    async balances(tokenIds: readonly string[]): Promise<Map<string, QuotaBalance>> {
      const out = new Map<string, QuotaBalance>();
      if (tokenIds.length === 0) return out;
      const rows = await db
        .selectFrom('tokenQuotas')
        .select(['tokenId', 'remaining', 'refilledAt'])
        .where('tokenId', 'in', tokenIds)
        .execute();
      for (const r of rows) out.set(r.tokenId, { remaining: Number(r.remaining), refilledAt: r.refilledAt });
      return out;
    },
    /** Spends `cost` credits if that many (and at least one) are left: whether it did, and the balance after. */
    async spend(
      tokenId: string,
      rule: QuotaRule,
      cost: number,
      nowMs: number,
    ): Promise<{ spent: boolean; remaining: number }> {
      let row = await read(tokenId);
      if (!row) {
        // A quota whose balance row is missing (it cannot be, short of a hand edit): it starts full.
        await db
          .insertInto('tokenQuotas')
          .values({ tokenId, remaining: rule.limit, refilledAt: new Date(nowMs).toISOString() })
          .onConflict((oc) => oc.column('tokenId').doNothing())
          .execute();
        row = await read(tokenId);
        if (!row) return { spent: false, remaining: 0 };
      }
      if (rule.refill) {
        const due = refillsDue(rule.refill.interval, Date.parse(row.refilledAt), nowMs);
        if (due > 0) {
          const add = due * rule.refill.amount;
          await db
            .updateTable('tokenQuotas')
            .set({
              remaining: sql<number>`case when remaining + ${add} > ${rule.limit} then ${rule.limit} else remaining + ${add} end`,
              refilledAt: new Date(nowMs).toISOString(),
            })
            .where('tokenId', '=', tokenId)
            .where('refilledAt', '=', row.refilledAt)
            .execute();
        }
      }
      const spent = await db
        .updateTable('tokenQuotas')
        .set({ remaining: sql<number>`remaining - ${cost}` })
        .where('tokenId', '=', tokenId)
        .where('remaining', '>=', needed(cost))
        .returning('remaining')
        .executeTakeFirst();
      if (spent) return { spent: true, remaining: Number(spent.remaining) };
      return { spent: false, remaining: shownBalance(Number((await read(tokenId))?.remaining ?? 0)) };
    },
  };
}

export type QuotaSpender = (
  tokenId: string,
  rule: QuotaRule,
  cost: number,
  nowMs: number,
) => Promise<{ spent: boolean; remaining: number }>;

/**
 * The verify path's spend. On SQLite: three statements prepared once, in one IMMEDIATE transaction (the
 * write lock first, so the read, the refill and the spend are one step for every process sharing the file)
 * — Kysely would compile each statement per call, which cost more than the write itself. On PostgreSQL:
 * the store's statements above.
 */
export function createQuotaSpender(handle: { db: Kysely<Database>; sqlite?: SQLite.Database }): QuotaSpender {
  const { sqlite } = handle;
  if (!sqlite) {
    const queries = quotaQueries(handle.db);
    return (tokenId, rule, cost, nowMs) => queries.spend(tokenId, rule, cost, nowMs);
  }
  const select = sqlite.prepare<[string], { remaining: number; refilled_at: string }>(
    'select remaining, refilled_at from token_quotas where token_id = ?',
  );
  const insert = sqlite.prepare<[string, number, string]>(
    'insert into token_quotas (token_id, remaining, refilled_at) values (?, ?, ?) on conflict (token_id) do nothing',
  );
  const update = sqlite.prepare<[number, string, string]>(
    'update token_quotas set remaining = ?, refilled_at = ? where token_id = ?',
  );
  const spend = sqlite.transaction((tokenId: string, rule: QuotaRule, cost: number, nowMs: number) => {
    const now = new Date(nowMs).toISOString();
    let row = select.get(tokenId);
    if (!row) {
      insert.run(tokenId, rule.limit, now);
      row = { remaining: rule.limit, refilled_at: now };
    }
    const remaining = balanceNow(rule, { remaining: row.remaining, refilledAt: row.refilled_at }, nowMs);
    const refilledAt = remaining === row.remaining ? row.refilled_at : now;
    if (remaining < needed(cost)) {
      if (refilledAt !== row.refilled_at) update.run(remaining, refilledAt, tokenId);
      return { spent: false, remaining: shownBalance(remaining) };
    }
    if (cost > 0 || refilledAt !== row.refilled_at) update.run(remaining - cost, refilledAt, tokenId);
    return { spent: true, remaining: remaining - cost };
  });
  // The connection is Kysely's too. While one of its transactions is open (it awaits argon2, or yields
  // between chunks), a spend run now would be a savepoint inside it — and undone if it rolls back, after
  // its verification was answered. So a spend then waits for the connection (Kysely's mutex) and runs
  // after that transaction, as a transaction of its own; otherwise (the usual case) it runs at once.
  return (tokenId, rule, cost, nowMs) => {
    if (!sqlite.inTransaction) return Promise.resolve(spend.immediate(tokenId, rule, cost, nowMs));
    return handle.db.connection().execute(async () => spend.immediate(tokenId, rule, cost, nowMs));
  };
}
