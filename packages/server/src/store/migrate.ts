import { Migrator, sql, type Migration, type MigrationProvider, type MigrationResultSet } from 'kysely';
import type { DatabaseHandle, DialectName } from './dialect.js';
import { withSchemaIntrospection } from './schema-introspector.js';
import { initialMigration } from './migrations/0001-initial.js';
import { tokenUsageMigration } from './migrations/0002-token-usage.js';
import { legacyTokenHintsMigration } from './migrations/0003-legacy-token-hints.js';
import { roleTombstonesMigration } from './migrations/0004-role-tombstones.js';
import { tokenLifecycleMigration } from './migrations/0005-token-lifecycle.js';
import { tokenRestrictionsMigration } from './migrations/0006-token-restrictions.js';
import { tokenLimitsMigration } from './migrations/0007-token-limits.js';
import { usageAnalyticsMigration } from './migrations/0008-usage-analytics.js';
import { webhooksMigration } from './migrations/0009-webhooks.js';
import { auditTargetsMigration } from './migrations/0010-audit-targets.js';

/** Migrations are listed statically (no directory scanning) so a bundle or a test sees the same set. */
export function migrationsFor(dialect: DialectName): Record<string, Migration> {
  return {
    '0001-initial': initialMigration(dialect),
    '0002-token-usage': tokenUsageMigration(),
    '0003-legacy-token-hints': legacyTokenHintsMigration(),
    '0004-role-tombstones': roleTombstonesMigration(dialect),
    '0005-token-lifecycle': tokenLifecycleMigration(dialect),
    '0006-token-restrictions': tokenRestrictionsMigration(),
    '0007-token-limits': tokenLimitsMigration(),
    '0008-usage-analytics': usageAnalyticsMigration(),
    '0009-webhooks': webhooksMigration(dialect),
    '0010-audit-targets': auditTargetsMigration(),
  };
}

class StaticProvider implements MigrationProvider {
  constructor(private readonly migrations: Record<string, Migration>) {}
  getMigrations(): Promise<Record<string, Migration>> {
    return Promise.resolve(this.migrations);
  }
}

/**
 * Kysely's migrator for this database. On PostgreSQL it looks for its bookkeeping tables in every schema
 * unless told which one: name the schema we run in (search_path), so installations side by side in one
 * database stay apart, and introspect only that schema (store/schema-introspector.ts).
 */
export async function migratorFor(handle: DatabaseHandle): Promise<Migrator> {
  const schema =
    handle.dialect === 'postgres'
      ? (await sql<{ schema: string }>`select current_schema() as schema`.execute(handle.db)).rows[0]?.schema
      : undefined;
  return new Migrator({
    db: schema ? withSchemaIntrospection(handle.db, schema) : handle.db,
    provider: new StaticProvider(migrationsFor(handle.dialect)),
    ...(schema ? { migrationTableSchema: schema } : {}),
  });
}

/** Brings the schema up to date; Kysely's migrator takes a lock so concurrent starters migrate once. */
export async function migrateToLatest(handle: DatabaseHandle): Promise<MigrationResultSet> {
  const result = await (await migratorFor(handle)).migrateToLatest();
  if (result.error) throw result.error instanceof Error ? result.error : new Error(String(result.error));
  return result;
}
