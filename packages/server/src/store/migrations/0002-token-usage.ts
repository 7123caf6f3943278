import type { Kysely, Migration } from 'kysely';

/** Per-day use counts, written in batches by the usage recorder. */
export function tokenUsageMigration(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('token_usage_daily')
        .addColumn('token_id', 'text', (c) => c.notNull().references('tokens.id'))
        .addColumn('day', 'text', (c) => c.notNull())
        .addColumn('count', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('token_usage_daily_pk', ['token_id', 'day'])
        .execute();
    },
  };
}
