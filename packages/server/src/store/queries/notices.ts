import type { Kysely } from 'kysely';
import type { DialectName } from '../dialect.js';
import type { Database } from '../schema.js';

/**
 * What the notices (webhooks/notices.ts) have already said, so that each is said once whichever instance
 * sweeps: every claim is an insert that a primary key lets only one instance make, or an update guarded
 * by the state it changes.
 */
export function noticeQueries(db: Kysely<Database>, dialect: DialectName) {
  return {
    /**
     * Live tokens whose expiry is in (`since`, `until`] and whose notice for threshold `days` (of that very
     * expiry) has not been claimed yet, soonest first.
     */
    async tokensToNotify(since: string, until: string, days: number, limit: number) {
      return db
        .selectFrom('tokens')
        .select(['id', 'orgId', 'expiresAt'])
        .where('revokedAt', 'is', null)
        .where('expiresAt', 'is not', null)
        .where('expiresAt', '>', since)
        .where('expiresAt', '<=', until)
        .where((eb) =>
          eb.not(
            eb.exists(
              eb
                .selectFrom('tokenExpiryNotices as n')
                .select('n.tokenId')
                .whereRef('n.tokenId', '=', 'tokens.id')
                .whereRef('n.expiresAt', '=', 'tokens.expiresAt')
                .where('n.days', '=', days),
            ),
          ),
        )
        .orderBy('expiresAt')
        .limit(limit)
        .execute();
    },
    /** Claims the notices (thresholds in days) of one expiry: the thresholds this call was first to claim. */
    async claimExpiry(
      tokenId: string,
      expiresAt: string,
      days: readonly number[],
      now: string,
    ): Promise<number[]> {
      if (days.length === 0) return [];
      const rows = await db
        .insertInto('tokenExpiryNotices')
        .values(days.map((d) => ({ tokenId, expiresAt, days: d, sentAt: now })))
        .onConflict((oc) => oc.columns(['tokenId', 'expiresAt', 'days']).doNothing())
        .returning('days')
        .execute();
      return rows.map((r) => Number(r.days));
    },
    /** Sources first seen and not yet announced (the usage flush writes them), oldest first. */
    async unannouncedSources(limit: number) {
      let q = db
        .selectFrom('tokenKnownSources')
        .innerJoin('tokens', 'tokens.id', 'tokenKnownSources.tokenId')
        .select([
          'tokenKnownSources.tokenId',
          'tokenKnownSources.kind',
          'tokenKnownSources.value',
          'tokenKnownSources.firstSeen',
          'tokens.orgId',
        ])
        .where('tokenKnownSources.notifiedAt', 'is', null)
        .orderBy('tokenKnownSources.firstSeen')
        .limit(limit);
      if (dialect === 'postgres') q = q.forUpdate(['tokenKnownSources']).skipLocked();
      return q.execute();
    },
    /** Marks a source announced; false when another instance already did. */
    async announceSource(tokenId: string, kind: string, value: string, now: string): Promise<boolean> {
      const r = await db
        .updateTable('tokenKnownSources')
        .set({ notifiedAt: now })
        .where('tokenId', '=', tokenId)
        .where('kind', '=', kind as 'origin' | 'address')
        .where('value', '=', value)
        .where('notifiedAt', 'is', null)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
    /** Claims the one notice of a limit window; false when it was already sent. */
    async claimLimitWindow(tokenId: string, windowKey: string, now: string): Promise<boolean> {
      const rows = await db
        .insertInto('tokenLimitNotices')
        .values({ tokenId, windowKey, sentAt: now })
        .onConflict((oc) => oc.columns(['tokenId', 'windowKey']).doNothing())
        .returning('tokenId')
        .execute();
      return rows.length === 1;
    },
    /** Limit notices are only needed while their window can still be exhausted again. */
    async pruneLimitWindows(before: string): Promise<void> {
      await db.deleteFrom('tokenLimitNotices').where('sentAt', '<', before).execute();
    },
  };
}
