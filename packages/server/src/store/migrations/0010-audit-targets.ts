import type { Kysely, Migration } from 'kysely';

/**
 * One audit entry for a bulk change (issue 17 item 1) names every token it changed: `audit_targets` holds
 * those (entry, object) pairs, so filtering the log by one token's id still finds the bulk entry that
 * revoked it. New table only.
 */
export function auditTargetsMigration(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('audit_targets')
        .addColumn('org_id', 'text', (c) => c.notNull())
        .addColumn('target_id', 'text', (c) => c.notNull())
        .addColumn('audit_id', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('audit_targets_pk', ['org_id', 'target_id', 'audit_id'])
        .execute();
    },
  };
}
