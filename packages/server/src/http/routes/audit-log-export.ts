import { Readable } from 'node:stream';
import Type from 'typebox';
import { requireScope } from '../auth.js';
import { OrgParams, StringEnum, orgErrors } from '../schemas.js';
import type { RouteModule } from '../route-context.js';
import { auditExportHead, auditExportLine, type AuditExportFormat } from '../../domain/audit-export.js';
import { auditFilterOf, AuditFilterQuery } from './audit-log.js';

/** Entries read per query while the export streams: memory stays flat whatever the log's size. */
const PAGE = 500;

const CONTENT_TYPE: Record<AuditExportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  jsonl: 'application/x-ndjson; charset=utf-8',
};

/**
 * The whole audit log, or what the filters match, as one download (the console's Export; `latchkey audit
 * export` writes the same lines): newest first, streamed page by page.
 */
export const auditLogExportRoute: RouteModule = (app, ctx) => {
  app.get(
    '/api/v1/orgs/:org/audit-log/export',
    {
      config: { auth: 'any', permission: 'audit_log:view' },
      schema: {
        tags: ['audit'],
        summary:
          'Download the audit log (filtered like GET /audit-log), newest first: JSON lines (one entry per line, as the list answers it) or CSV (before and after as JSON; fields a spreadsheet could read as a formula are escaped)',
        params: OrgParams,
        querystring: Type.Object(
          {
            format: Type.Optional(
              StringEnum(['jsonl', 'csv'] as const, { description: 'jsonl (the default) or csv' }),
            ),
            ...AuditFilterQuery,
          },
          { additionalProperties: false },
        ),
        response: {
          200: {
            description: 'The entries',
            content: {
              'application/x-ndjson': { schema: Type.String() },
              'text/csv': { schema: Type.String() },
            },
          },
          ...orgErrors,
        },
      },
    },
    async (request, reply) => {
      const scope = requireScope(request);
      const format = request.query.format ?? 'jsonl';
      const filter = auditFilterOf(request.query);
      // The first page is read before anything is sent: a store that cannot answer gets the usual error
      // answer (503), not a 200 with an empty file. A failure later aborts the transfer (a chunked body
      // without its end), which clients report as a failed download: curl exits 18, browsers say so.
      const first = await ctx.services.audit.list(scope, filter, PAGE);
      async function* lines() {
        yield auditExportHead(format);
        let page = first;
        for (;;) {
          yield page.items.map((e) => auditExportLine(format, e)).join('');
          if (page.nextSeq === null) return;
          page = await ctx.services.audit.list(scope, { ...filter, beforeSeq: page.nextSeq }, PAGE);
        }
      }
      const day = new Date().toISOString().slice(0, 10);
      return (
        reply
          .header('content-type', CONTENT_TYPE[format])
          .header('content-disposition', `attachment; filename="audit-${scope.org.slug}-${day}.${format}"`)
          .header('cache-control', 'no-store')
          // A stream, sent as it is (no serialisation); the response schema documents what it carries.
          .send(Readable.from(lines()) as unknown as string)
      );
    },
  );
};
