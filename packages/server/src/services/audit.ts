import type { AuditFilter } from '../store/queries/audit.js';
import type { OrgScope, ServiceDeps } from './context.js';

/**
 * Reading the org's audit log (rule 21). Entries are written by the change they describe, from its domain
 * events, in its transaction (services/events.ts).
 */
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
