import type { Kysely, Selectable } from 'kysely';
import type { AuditLogTable, Database } from '../schema.js';

export type AuditRow = Selectable<AuditLogTable>;
export type AuditRecord = Omit<AuditRow, 'before' | 'after'> & { before: unknown; after: unknown };

export interface AuditFilter {
  action?: string;
  targetType?: string;
  targetId?: string;
  actorId?: string;
  since?: string;
  until?: string;
  limit: number;
  after?: { at: string; id: string };
}

export function auditQueries(db: Kysely<Database>) {
  return {
    async insert(entry: AuditRecord): Promise<void> {
      await db
        .insertInto('auditLog')
        .values({
          ...entry,
          before: entry.before === null || entry.before === undefined ? null : JSON.stringify(entry.before),
          after: entry.after === null || entry.after === undefined ? null : JSON.stringify(entry.after),
        })
        .execute();
    },
    async list(orgId: string, f: AuditFilter): Promise<AuditRecord[]> {
      let q = db.selectFrom('auditLog').selectAll().where('orgId', '=', orgId);
      if (f.action) q = q.where('action', '=', f.action);
      if (f.targetType) q = q.where('targetType', '=', f.targetType);
      if (f.targetId) q = q.where('targetId', '=', f.targetId);
      if (f.actorId) q = q.where('actorId', '=', f.actorId);
      if (f.since) q = q.where('at', '>=', f.since);
      if (f.until) q = q.where('at', '<', f.until);
      if (f.after) {
        const { at, id } = f.after;
        q = q.where((eb) => eb.or([eb('at', '<', at), eb.and([eb('at', '=', at), eb('id', '<', id)])]));
      }
      const rows = await q.orderBy('at', 'desc').orderBy('id', 'desc').limit(f.limit).execute();
      return rows.map((r) => ({
        ...r,
        before: r.before === null ? null : (JSON.parse(r.before) as unknown),
        after: r.after === null ? null : (JSON.parse(r.after) as unknown),
      }));
    },
  };
}
