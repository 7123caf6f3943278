import type { Kysely, Migration } from 'kysely';

/**
 * Token restrictions (issue 15): an IP allowlist (CIDR ranges, JSON like `domains`; empty = anywhere) and
 * whether the origin and IP allowlists are enforced or only reported. Report-only answers `valid` with
 * warnings and counts what it would have refused, per token, day, warning and origin or address.
 * New columns with defaults and a new table: safe forward on both stores, and every existing token
 * keeps today's behaviour (no IP restriction, allowlists enforced).
 */
export function tokenRestrictionsMigration(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .alterTable('tokens')
        .addColumn('allowed_ips', 'text', (c) => c.notNull().defaultTo('[]'))
        .execute();
      await db.schema
        .alterTable('tokens')
        .addColumn('enforcement', 'text', (c) => c.notNull().defaultTo('enforce'))
        .execute();
      await db.schema
        .createTable('token_usage_warnings')
        .addColumn('token_id', 'text', (c) => c.notNull().references('tokens.id'))
        .addColumn('day', 'text', (c) => c.notNull())
        /** The refusal report-only turned into a warning: origin_required, origin_not_allowed, ip_not_allowed. */
        .addColumn('code', 'text', (c) => c.notNull())
        /** The origin or address it came from ('' where there was none, or past the per-flush bound). */
        .addColumn('subject', 'text', (c) => c.notNull())
        .addColumn('count', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('token_usage_warnings_pk', ['token_id', 'day', 'code', 'subject'])
        .execute();
    },
  };
}
