import type { Kysely, Migration } from 'kysely';
import type { DialectName } from '../dialect.js';

/**
 * Token lifecycle (issue 14): rotation keeps a token's id and settings and changes only its secret, so
 * the secrets a token had before live in their own table — at most one still verifying (until it
 * retires: now, at a time, or on the new value's first use), the retired ones kept so their use is
 * answered `token_rotated` rather than "unknown". Suspension, a leak report and an exposure a
 * secret scanner reported (docs/secret-scanning.md) are columns of the token.
 * New nullable columns and a new table: safe forward on both stores.
 */
export function tokenLifecycleMigration(dialect: DialectName): Migration {
  const ts = dialect === 'postgres' ? 'timestamptz' : 'text';
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('tokens').addColumn('suspended_at', ts).execute();
      await db.schema.alterTable('tokens').addColumn('compromised_at', ts).execute();
      await db.schema.alterTable('tokens').addColumn('leak_where', 'text').execute();
      await db.schema.alterTable('tokens').addColumn('leak_note', 'text').execute();
      await db.schema.alterTable('tokens').addColumn('exposed_at', ts).execute();
      await db.schema.alterTable('tokens').addColumn('exposed_url', 'text').execute();
      await db.schema.alterTable('tokens').addColumn('exposed_source', 'text').execute();
      await db.schema.alterTable('tokens').addColumn('rotated_at', ts).execute();
      await db.schema
        .createTable('token_previous_secrets')
        .addColumn('hash', 'text', (c) => c.primaryKey())
        .addColumn('token_id', 'text', (c) => c.notNull().references('tokens.id'))
        .addColumn('hint', 'text', (c) => c.notNull())
        /** When the token was rotated away from this secret. */
        .addColumn('rotated_at', ts, (c) => c.notNull())
        /** The latest it stops verifying (null: only on first use of the new value, or when retired). */
        .addColumn('retires_at', ts)
        .addColumn('retire_on_first_use', 'integer', (c) => c.notNull().defaultTo(0))
        /** When it stopped verifying; null while it still does. */
        .addColumn('retired_at', ts)
        .execute();
      await db.schema
        .createIndex('token_previous_secrets_token')
        .on('token_previous_secrets')
        .column('token_id')
        .execute();
    },
  };
}
