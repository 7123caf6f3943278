import { sql, type Kysely, type Transaction } from 'kysely';
import type { InvalidationEvent } from '../domain/invalidation-event.js';
import { mappingConflicts } from './conflict.js';
import { INVALIDATION_CHANNEL, instanceId } from './instance.js';
import type { DatabaseHandle, DialectName } from './dialect.js';
import type { Database } from './schema.js';
import { auditQueries } from './queries/audit.js';
import { invitationQueries } from './queries/invitations.js';
import { memberQueries } from './queries/members.js';
import { orgQueries } from './queries/orgs.js';
import { roleQueries } from './queries/roles.js';
import { serviceAccountQueries } from './queries/service-accounts.js';
import { sessionQueries } from './queries/sessions.js';
import { settingQueries } from './queries/settings.js';
import { quotaQueries } from './queries/quotas.js';
import { tokenQueries } from './queries/tokens.js';
import { tokenSecretQueries } from './queries/token-secrets.js';
import { userQueries } from './queries/users.js';
import { usageQueries } from './queries/usage.js';
import { webhookQueries } from './queries/webhooks.js';
import { noticeQueries } from './queries/notices.js';

/**
 * One object holding a query module per aggregate, bound to a connection or a transaction.
 * Services receive a Store and call `transaction()` to get another Store bound to one transaction.
 * A write that breaks a unique constraint throws `ConflictError` (store/conflict.ts) on both dialects.
 */
export interface Store {
  dialect: DialectName;
  orgs: ReturnType<typeof orgQueries>;
  users: ReturnType<typeof userQueries>;
  roles: ReturnType<typeof roleQueries>;
  members: ReturnType<typeof memberQueries>;
  invitations: ReturnType<typeof invitationQueries>;
  serviceAccounts: ReturnType<typeof serviceAccountQueries>;
  tokens: ReturnType<typeof tokenQueries>;
  tokenSecrets: ReturnType<typeof tokenSecretQueries>;
  sessions: ReturnType<typeof sessionQueries>;
  audit: ReturnType<typeof auditQueries>;
  settings: ReturnType<typeof settingQueries>;
  usage: ReturnType<typeof usageQueries>;
  quotas: ReturnType<typeof quotaQueries>;
  webhooks: ReturnType<typeof webhookQueries>;
  notices: ReturnType<typeof noticeQueries>;
  /**
   * Queues invalidation events to other instances, delivered by PostgreSQL when (and only if) the
   * surrounding transaction commits. A no-op on SQLite, where there is only one instance.
   */
  notifyInvalidation(events: readonly InvalidationEvent[]): Promise<void>;
  /** Round-trips to the database (readiness probe). */
  ping(): Promise<void>;
  /** Runs `fn` in one transaction: everything it writes commits together or not at all. */
  transaction<T>(fn: (tx: Store) => Promise<T>): Promise<T>;
}

export function createStore(handle: Pick<DatabaseHandle, 'db' | 'dialect'>): Store {
  return bind(handle.db, handle.dialect);
}

function bind(db: Kysely<Database> | Transaction<Database>, dialect: DialectName): Store {
  return {
    dialect,
    // A unique violation leaves every query module as ConflictError (store/conflict.ts), whatever the dialect.
    orgs: mappingConflicts(orgQueries(db, dialect)),
    users: mappingConflicts(userQueries(db)),
    roles: mappingConflicts(roleQueries(db, dialect)),
    members: mappingConflicts(memberQueries(db, dialect)),
    invitations: mappingConflicts(invitationQueries(db)),
    serviceAccounts: mappingConflicts(serviceAccountQueries(db, dialect)),
    tokens: mappingConflicts(tokenQueries(db, dialect)),
    tokenSecrets: mappingConflicts(tokenSecretQueries(db)),
    sessions: mappingConflicts(sessionQueries(db)),
    audit: mappingConflicts(auditQueries(db)),
    settings: mappingConflicts(settingQueries(db)),
    usage: mappingConflicts(usageQueries(db)),
    quotas: mappingConflicts(quotaQueries(db)),
    webhooks: mappingConflicts(webhookQueries(db, dialect)),
    notices: mappingConflicts(noticeQueries(db, dialect)),
    async notifyInvalidation(events) {
      if (dialect !== 'postgres' || events.length === 0) return;
      // NOTIFY payloads are limited to 8000 bytes: send events in chunks well under it.
      for (let i = 0; i < events.length; i += 40) {
        const payload = JSON.stringify({ from: instanceId, events: events.slice(i, i + 40) });
        await sql`select pg_notify(${INVALIDATION_CHANNEL}, ${payload})`.execute(db);
      }
    },
    async ping() {
      await sql`select 1`.execute(db);
    },
    transaction<T>(fn: (tx: Store) => Promise<T>): Promise<T> {
      if (db.isTransaction) return fn(this);
      return db.transaction().execute((trx) => fn(bind(trx, dialect)));
    },
  };
}
