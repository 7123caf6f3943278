import type { Kysely, Migration } from 'kysely';

/**
 * Token limits (issue 15): named rate-limit windows (JSON, like `domains`; empty = none; on a service account,
 * the default of its tokens that have none) and a quota of
 * credits (JSON or null = none). A quota's balance changes on every verification, so it lives in its own
 * table: the hot write touches one small row, never the token (whose row the management API locks).
 * Columns with defaults and a new table: safe forward on both stores; existing tokens stay unlimited.
 */
export function tokenLimitsMigration(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .alterTable('tokens')
        .addColumn('rate_limits', 'text', (c) => c.notNull().defaultTo('[]'))
        .execute();
      await db.schema.alterTable('tokens').addColumn('quota', 'text').execute();
      // The windows a service account's tokens inherit when they have none of their own.
      await db.schema
        .alterTable('service_accounts')
        .addColumn('rate_limits', 'text', (c) => c.notNull().defaultTo('[]'))
        .execute();
      await db.schema
        .createTable('token_quotas')
        .addColumn('token_id', 'text', (c) => c.primaryKey().references('tokens.id'))
        /** Credits left; never below zero (a spend only happens while enough are left). */
        .addColumn('remaining', 'bigint', (c) => c.notNull())
        /** The last refill (or when the quota was set): refills are counted from it. */
        .addColumn('refilled_at', 'text', (c) => c.notNull())
        .execute();
    },
  };
}
