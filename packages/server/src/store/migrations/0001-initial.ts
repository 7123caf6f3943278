import { sql, type Kysely, type Migration } from 'kysely';
import type { DialectName } from '../dialect.js';

/** The first schema. Timestamps are `timestamptz` on PostgreSQL and ISO text on SQLite. */
export function initialMigration(dialect: DialectName): Migration {
  const ts = dialect === 'postgres' ? 'timestamptz' : 'text';
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('orgs')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('slug', 'text', (c) => c.notNull().unique())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('max_token_lifetime_days', 'integer')
        .addColumn('created_at', ts, (c) => c.notNull())
        .addColumn('updated_at', ts, (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('users')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('email', 'text', (c) => c.notNull().unique())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('password_hash', 'text', (c) => c.notNull())
        .addColumn('created_at', ts, (c) => c.notNull())
        .addColumn('updated_at', ts, (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('roles')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('name_key', 'text', (c) => c.notNull())
        .addColumn('builtin', 'text')
        .addColumn('description', 'text')
        .addColumn('permissions', 'text', (c) => c.notNull())
        .addColumn('created_at', ts, (c) => c.notNull())
        .addColumn('updated_at', ts, (c) => c.notNull())
        .addUniqueConstraint('roles_org_name_key', ['org_id', 'name_key'])
        .execute();

      await db.schema
        .createTable('members')
        .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id'))
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
        .addColumn('role_id', 'text', (c) => c.notNull().references('roles.id'))
        .addColumn('created_at', ts, (c) => c.notNull())
        .addColumn('updated_at', ts, (c) => c.notNull())
        .addPrimaryKeyConstraint('members_pk', ['org_id', 'user_id'])
        .execute();
      await db.schema.createIndex('members_user').on('members').column('user_id').execute();

      await db.schema
        .createTable('invitations')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id'))
        .addColumn('email', 'text', (c) => c.notNull())
        .addColumn('role_id', 'text', (c) => c.notNull().references('roles.id'))
        .addColumn('token_hash', 'text', (c) => c.notNull().unique())
        .addColumn('invited_by', 'text')
        .addColumn('created_at', ts, (c) => c.notNull())
        .addColumn('expires_at', ts, (c) => c.notNull())
        .addColumn('accepted_at', ts)
        .addColumn('accepted_by', 'text')
        .addColumn('revoked_at', ts)
        .execute();
      await db.schema
        .createIndex('invitations_org')
        .on('invitations')
        .columns(['org_id', 'created_at'])
        .execute();

      await db.schema
        .createTable('service_accounts')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('name_key', 'text', (c) => c.notNull())
        .addColumn('description', 'text')
        .addColumn('role_id', 'text', (c) => c.notNull().references('roles.id'))
        .addColumn('disabled_at', ts)
        .addColumn('deleted_at', ts)
        .addColumn('created_at', ts, (c) => c.notNull())
        .addColumn('updated_at', ts, (c) => c.notNull())
        .execute();
      // Names are unique among live accounts only: a deleted account's name can be reused.
      await db.schema
        .createIndex('service_accounts_org_name')
        .on('service_accounts')
        .columns(['org_id', 'name_key'])
        .unique()
        .where(sql.ref('deleted_at'), 'is', null)
        .execute();

      await db.schema
        .createTable('tokens')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull().check(sqlCheck(`type in ('public', 'private')`)))
        .addColumn('hash', 'text', (c) => c.notNull().unique())
        .addColumn('hint', 'text', (c) => c.notNull())
        .addColumn('public_value', 'text')
        .addColumn('owner_service_account_id', 'text', (c) => c.references('service_accounts.id'))
        .addColumn('owner_user_id', 'text', (c) => c.references('users.id'))
        .addColumn('permissions', 'text')
        .addColumn('domains', 'text', (c) => c.notNull())
        .addColumn('expires_at', ts)
        .addColumn('revoked_at', ts)
        .addColumn('imported_at', ts)
        .addColumn('created_by_type', 'text', (c) => c.notNull())
        .addColumn('created_by_id', 'text')
        .addColumn('created_at', ts, (c) => c.notNull())
        .addColumn('updated_at', ts, (c) => c.notNull())
        .addColumn('last_used_at', ts)
        .addColumn('last_used_origin', 'text')
        // Exactly one owner; private values never stored.
        .addCheckConstraint(
          'tokens_one_owner',
          sqlCheck('(owner_service_account_id is null) <> (owner_user_id is null)'),
        )
        .addCheckConstraint('tokens_private_no_value', sqlCheck(`type = 'public' or public_value is null`))
        .execute();
      await db.schema
        .createIndex('tokens_org_created')
        .on('tokens')
        .columns(['org_id', 'created_at'])
        .execute();
      await db.schema
        .createIndex('tokens_owner_sa')
        .on('tokens')
        .column('owner_service_account_id')
        .execute();
      await db.schema
        .createIndex('tokens_owner_user')
        .on('tokens')
        .columns(['owner_user_id', 'org_id'])
        .execute();

      await db.schema
        .createTable('sessions')
        .addColumn('id_hash', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
        .addColumn('created_at', ts, (c) => c.notNull())
        .addColumn('expires_at', ts, (c) => c.notNull())
        .addColumn('last_seen_at', ts, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('sessions_user').on('sessions').column('user_id').execute();

      await db.schema
        .createTable('audit_log')
        // seq orders entries written in the same millisecond (and within one transaction).
        .$call((t) =>
          dialect === 'postgres'
            ? t.addColumn('seq', 'bigserial', (c) => c.primaryKey())
            : t.addColumn('seq', 'integer', (c) => c.primaryKey().autoIncrement()),
        )
        .addColumn('id', 'text', (c) => c.notNull().unique())
        .addColumn('org_id', 'text', (c) => c.notNull())
        .addColumn('at', ts, (c) => c.notNull())
        .addColumn('actor_type', 'text', (c) => c.notNull())
        .addColumn('actor_id', 'text')
        .addColumn('actor_label', 'text')
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('target_type', 'text', (c) => c.notNull())
        .addColumn('target_id', 'text')
        .addColumn('before', 'text')
        .addColumn('after', 'text')
        .addColumn('ip', 'text')
        .execute();
      await db.schema.createIndex('audit_log_org_seq').on('audit_log').columns(['org_id', 'seq']).execute();

      await db.schema
        .createTable('settings')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('value', 'text', (c) => c.notNull())
        .execute();
    },
  };
}

function sqlCheck(expression: string) {
  return sql.raw(expression);
}
