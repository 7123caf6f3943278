import type { Kysely, Migration } from 'kysely';

/**
 * Usage analytics (issue 15): refusals per token, day and code (successes stay in token_usage_daily),
 * and the origins and addresses a token was used from, with when each was first and last seen (the most
 * recent 20 of each kind per token are kept). Both written by the usage flush; new tables only.
 */
export function usageAnalyticsMigration(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('token_usage_codes')
        .addColumn('token_id', 'text', (c) => c.notNull().references('tokens.id'))
        .addColumn('day', 'text', (c) => c.notNull())
        .addColumn('code', 'text', (c) => c.notNull())
        .addColumn('count', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('token_usage_codes_pk', ['token_id', 'day', 'code'])
        .execute();
      await db.schema
        .createTable('token_usage_sources')
        .addColumn('token_id', 'text', (c) => c.notNull().references('tokens.id'))
        /** `origin` or `address`. */
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('value', 'text', (c) => c.notNull())
        .addColumn('first_seen', 'text', (c) => c.notNull())
        .addColumn('last_seen', 'text', (c) => c.notNull())
        .addColumn('count', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('token_usage_sources_pk', ['token_id', 'kind', 'value'])
        .execute();
    },
  };
}
