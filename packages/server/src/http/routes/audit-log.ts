import Type, { type Static } from 'typebox';
import { requireScope } from '../auth.js';
import {
  AuditAction,
  AuditEntry,
  Cursor,
  Limit,
  Nullable,
  OrgParams,
  SafeString,
  Timestamp,
  orgErrors,
} from '../schemas.js';
import { decodeCursor, encodeCursor, type RouteModule } from '../route-context.js';

/** What an audit-log cursor carries: the seq of the last entry of the previous page. */
const AuditCursor = Type.Object({ seq: Type.String({ pattern: '^[0-9]{1,15}$' }) });

function cursorSeq(cursor: string | undefined): number | undefined {
  const key = decodeCursor(cursor, AuditCursor);
  return key && Number(key.seq);
}

/** The audit log's filters: the list and the export take the same ones. */
export const AuditFilterQuery = {
  action: Type.Optional(AuditAction),
  targetType: Type.Optional(SafeString({ maxLength: 64 })),
  targetId: Type.Optional(SafeString({ maxLength: 64 })),
  actorId: Type.Optional(SafeString({ maxLength: 64 })),
  since: Type.Optional(Timestamp),
  until: Type.Optional(Timestamp),
};
type AuditFilterParams = { [K in keyof typeof AuditFilterQuery]?: Static<(typeof AuditFilterQuery)[K]> };

/** The filters as the audit service takes them (times normalised to UTC ISO, as stored). */
export const auditFilterOf = (q: AuditFilterParams) => ({
  action: q.action,
  targetType: q.targetType,
  targetId: q.targetId,
  actorId: q.actorId,
  since: q.since && new Date(q.since).toISOString(),
  until: q.until && new Date(q.until).toISOString(),
});

export const auditLogRoute: RouteModule = (app, ctx) => {
  app.get(
    '/api/v1/orgs/:org/audit-log',
    {
      config: { auth: 'any', permission: 'audit_log:view' },
      schema: {
        tags: ['audit'],
        summary: "The org's audit log, newest first",
        params: OrgParams,
        querystring: Type.Object(
          {
            ...AuditFilterQuery,
            limit: Type.Optional(Limit),
            cursor: Type.Optional(Cursor),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({ items: Type.Array(AuditEntry), nextCursor: Nullable(Type.String()) }),
          ...orgErrors,
        },
      },
    },
    async (request) => {
      const q = request.query;
      const limit = q.limit ?? 50;
      const { items, nextSeq } = await ctx.services.audit.list(
        requireScope(request),
        { ...auditFilterOf(q), beforeSeq: cursorSeq(q.cursor) },
        limit,
      );
      return { items, nextCursor: nextSeq === null ? null : encodeCursor({ seq: String(nextSeq) }) };
    },
  );
};
