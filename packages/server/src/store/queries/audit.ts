import type { Kysely, Selectable } from 'kysely';
import type { AuditAction } from '../../domain/audit-actions.js';
import type { AuditLogTable, Database } from '../schema.js';

export type AuditRow = Selectable<AuditLogTable>;
export type AuditRecord = Omit<AuditRow, 'before' | 'after'> & { before: unknown; after: unknown };
export type NewAuditRecord = Omit<AuditRecord, 'seq'>;

export interface AuditFilter {
  action?: AuditAction;
  targetType?: string;
  targetId?: string;
  actorId?: string;
  since?: string;
  until?: string;
  limit: number;
  /** Keyset cursor: the seq of the last entry of the previous page. */
  beforeSeq?: number;
}

export function auditQueries(db: Kysely<Database>) {
  return {
    /** Several entries in one statement, in order (bulk changes such as an import). */
    async insertMany(entries: readonly NewAuditRecord[]): Promise<void> {
      if (entries.length === 0) return;
      const json = (v: unknown) => (v === null || v === undefined ? null : JSON.stringify(v));
      await db
        .insertInto('auditLog')
        .values(entries.map((e) => ({ ...e, before: json(e.before), after: json(e.after) })))
        .execute();
    },
    /** The objects a grouped entry changed, so a filter by one of their ids finds it. */
    async insertTargets(orgId: string, auditId: string, targetIds: readonly string[]): Promise<void> {
      // A few hundred rows per statement: well under either store's limit on bound parameters.
      for (let i = 0; i < targetIds.length; i += 300) {
        await db
          .insertInto('auditTargets')
          .values(targetIds.slice(i, i + 300).map((targetId) => ({ orgId, targetId, auditId })))
          .execute();
      }
    },
    async list(orgId: string, f: AuditFilter): Promise<AuditRecord[]> {
      let q = db.selectFrom('auditLog').selectAll().where('orgId', '=', orgId);
      if (f.action) q = q.where('action', '=', f.action);
      if (f.targetType) q = q.where('targetType', '=', f.targetType);
      if (f.targetId) {
        const targetId = f.targetId;
        // Its own entries, and the grouped (bulk) entries that list it.
        q = q.where((eb) =>
          eb.or([
            eb('targetId', '=', targetId),
            eb(
              'id',
              'in',
              eb
                .selectFrom('auditTargets')
                .select('auditTargets.auditId')
                .where('auditTargets.orgId', '=', orgId)
                .where('auditTargets.targetId', '=', targetId),
            ),
          ]),
        );
      }
      if (f.actorId) q = q.where('actorId', '=', f.actorId);
      if (f.since) q = q.where('at', '>=', f.since);
      if (f.until) q = q.where('at', '<', f.until);
      if (f.beforeSeq !== undefined) q = q.where('seq', '<', f.beforeSeq);
      const rows = await q.orderBy('seq', 'desc').limit(f.limit).execute();
      return rows.map((r) => ({
        ...r,
        seq: Number(r.seq),
        before: r.before === null ? null : (JSON.parse(r.before) as unknown),
        after: r.after === null ? null : (JSON.parse(r.after) as unknown),
      }));
    },
  };
}
