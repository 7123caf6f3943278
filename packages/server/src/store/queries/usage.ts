import { sql, type Kysely } from 'kysely';
import type { Database } from '../schema.js';

export type UsageBatch = Map<string, { lastUsedAt: string; lastUsedOrigin: string | null; days: Map<string, number> }>;

/**
 * Applies a batch of usage in one transaction. Written to merge: counts add up and last-used only moves
 * forward, so several instances flushing at once lose nothing.
 */
export function usageQueries(db: Kysely<Database>) {
  return {
    async applyUsage(batch: UsageBatch): Promise<void> {
      if (batch.size === 0) return;
      await db.transaction().execute(async (trx) => {
        // Only tokens that exist: one unknown id must not make the whole batch fail forever.
        const ids = [...batch.keys()];
        const known = new Set<string>();
        for (let i = 0; i < ids.length; i += 500) {
          for (const r of await trx.selectFrom('tokens').select('id').where('id', 'in', ids.slice(i, i + 500)).execute()) known.add(r.id);
        }
        for (const [tokenId, u] of batch) {
          if (!known.has(tokenId)) continue;
          await trx
            .updateTable('tokens')
            .set({ lastUsedAt: u.lastUsedAt, lastUsedOrigin: u.lastUsedOrigin })
            .where('id', '=', tokenId)
            .where((eb) => eb.or([eb('lastUsedAt', 'is', null), eb('lastUsedAt', '<', u.lastUsedAt)]))
            .execute();
          for (const [day, count] of u.days) {
            await trx
              .insertInto('tokenUsageDaily')
              .values({ tokenId, day, count })
              .onConflict((oc) => oc.columns(['tokenId', 'day']).doUpdateSet({ count: sql`token_usage_daily.count + excluded.count` }))
              .execute();
          }
        }
      });
    },
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
    async daily(tokenId: string, sinceDay: string): Promise<{ day: string; count: number }[]> {
      const rows = await db.selectFrom('tokenUsageDaily').select(['day', 'count']).where('tokenId', '=', tokenId).where('day', '>=', sinceDay).orderBy('day').execute();
      return rows.map((r) => ({ day: r.day, count: Number(r.count) }));
    },
  };
}
