import { Command, Option } from 'commander';
import { AUDIT_ACTIONS, type AuditAction } from '../../domain/audit-actions.js';
import { remoteCommand, run } from '../remote/remote-command.js';
import type { AuditPage } from '../remote/types.js';

export function auditCommand(): Command {
  const audit = new Command('audit').description('Audit log').exitOverride();
  audit.addCommand(
    remoteCommand('export', 'Export the audit log, newest first, as JSON lines (default) or CSV')
      .addOption(new Option('--format <format>').choices(['jsonl', 'csv']).default('jsonl'))
      .option('--since <iso-date>', 'from this time on')
      .option('--until <iso-date>', 'before this time')
      .addOption(
        new Option('--action <action>', 'only this action, e.g. token.revoke').choices(AUDIT_ACTIONS),
      )
      .addHelpText(
        'after',
        '\nExample:\n  latchkey audit export --org acme --since 2026-01-01T00:00:00Z --format csv > audit.csv',
      )
      .action(
        run(
          async (
            r,
            o: { format: string; since?: string; until?: string; action?: AuditAction; json?: boolean },
          ) => {
            // The API's export writes the same lines (domain/audit-export.ts: CSV fields a spreadsheet could
            // read as a formula are escaped). Loaded here: every other CLI call starts without the CSV library.
            const { auditExportHead, auditExportLine } = await import('../../domain/audit-export.js');
            const format = o.format === 'csv' ? 'csv' : 'jsonl';
            process.stdout.write(auditExportHead(format));
            let cursor: string | null = null;
            do {
              const query = {
                limit: 200,
                ...(o.since ? { since: o.since } : {}),
                ...(o.until ? { until: o.until } : {}),
                ...(o.action ? { action: o.action } : {}),
                ...(cursor ? { cursor } : {}),
              };
              const page: AuditPage = await r.call(
                r.api.GET('/api/v1/orgs/{org}/audit-log', { params: { path: { org: r.org }, query } }),
              );
              for (const e of page.items) {
                process.stdout.write(auditExportLine(format, e));
              }
              cursor = page.nextCursor;
            } while (cursor);
          },
        ),
      ),
  );
  return audit;
}
