import type { Kysely, Migration } from 'kysely';
import type { DialectName } from '../dialect.js';

/**
 * Deleted custom roles become tombstones (`deleted_at` set, name released) instead of rows that
 * invitations and deleted service accounts — history — would still reference: the delete no longer
 * trips a foreign key, and old invitations and audit entries keep naming the role they granted.
 * A nullable column added to a live table: safe forward on both stores.
 */
export function roleTombstonesMigration(dialect: DialectName): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .alterTable('roles')
        .addColumn('deleted_at', dialect === 'postgres' ? 'timestamptz' : 'text')
        .execute();
    },
  };
}
