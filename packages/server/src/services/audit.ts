import { newId } from '../domain/ids.js';
import type { NewAuditRecord } from '../store/queries/audit.js';
import type { Store } from '../store/store.js';
import type { OrgScope } from './context.js';

export interface AuditEntry {
  action: string;
  targetType: string;
  targetId: string | null;
  before?: unknown;
  after?: unknown;
}

function record(scope: OrgScope, at: string, entry: AuditEntry): NewAuditRecord {
  return {
    id: newId('audit'),
    orgId: scope.org.id,
    at,
    actorType: scope.actor.type,
    actorId: scope.actor.id,
    actorLabel: scope.actor.label,
    action: entry.action,
    targetType: entry.targetType,
    targetId: entry.targetId,
    before: entry.before ?? null,
    after: entry.after ?? null,
    ip: scope.actor.ip,
  };
}

/**
 * Writes one audit entry (rule 21). Always called with the transaction's store, so the entry
 * commits or rolls back with the change it describes. Callers pass redacted views (no token
 * values, hashes or password hashes) as before/after.
 */
export async function writeAudit(tx: Store, scope: OrgScope, at: string, entry: AuditEntry): Promise<void> {
  await tx.audit.insert(record(scope, at, entry));
}

/** One entry per item of a bulk change (an import), in order, in one statement, like writeAudit. */
export async function writeAuditMany(tx: Store, scope: OrgScope, at: string, entries: readonly AuditEntry[]): Promise<void> {
  await tx.audit.insertMany(entries.map((entry) => record(scope, at, entry)));
}
