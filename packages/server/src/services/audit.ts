import { newId } from '../domain/ids.js';
import type { AuditFilter, NewAuditRecord } from '../store/queries/audit.js';
import type { Store } from '../store/store.js';
import type { OrgScope, ServiceDeps } from './context.js';

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
export async function writeAuditMany(
  tx: Store,
  scope: OrgScope,
  at: string,
  entries: readonly AuditEntry[],
): Promise<void> {
  await tx.audit.insertMany(entries.map((entry) => record(scope, at, entry)));
}

/** Reading the org's audit log (rule 21); entries are written by the change they describe (writeAudit). */
export function auditService(deps: ServiceDeps) {
  const { store } = deps;
  return {
    /**
     * One page of the org's entries, newest first: `limit` entries, and the seq to continue before
     * (`nextSeq`), null on the last page.
     */
    async list(scope: OrgScope, filter: Omit<AuditFilter, 'limit'>, limit: number) {
      const rows = await store.audit.list(scope.org.id, { ...filter, limit: limit + 1 });
      const page = rows.slice(0, limit);
      const last = page[page.length - 1];
      return {
        items: page.map((r) => ({
          id: r.id,
          at: r.at,
          actor: { type: r.actorType, id: r.actorId, label: r.actorLabel },
          action: r.action,
          target: { type: r.targetType, id: r.targetId },
          before: r.before,
          after: r.after,
          ip: r.ip,
        })),
        nextSeq: rows.length > limit && last ? last.seq : null,
      };
    },
  };
}
