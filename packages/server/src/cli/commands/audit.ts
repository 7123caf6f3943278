import { Command, Option } from 'commander';
import { AUDIT_ACTIONS, type AuditAction } from '../../domain/audit-actions.js';
import { remoteCommand, run } from '../remote/remote-command.js';
import type { AuditEntry as Entry, AuditPage } from '../remote/types.js';

const CSV_HEADER = [
  'at',
  'action',
  'actor_type',
  'actor_id',
  'actor',
  'target_type',
  'target_id',
  'ip',
  'before',
  'after',
];
const csvRow = (csvRecord: (values: readonly unknown[]) => string, e: Entry) =>
  csvRecord([
    e.at,
    e.action,
    e.actor.type,
    e.actor.id,
    e.actor.label,
    e.target.type,
    e.target.id,
    e.ip,
    e.before,
    e.after,
  ]);

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
            // Actor labels (e-mails), names and before/after values are user-written: csvRecord keeps a
            // spreadsheet from reading any of them as a formula (OWASP CSV injection).
            // Loaded only for CSV: every other CLI call starts without the CSV library.
            const { csvRecord } = await import('../../domain/csv.js');
            if (o.format === 'csv') process.stdout.write(csvRecord(CSV_HEADER));
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
                process.stdout.write(o.format === 'csv' ? csvRow(csvRecord, e) : `${JSON.stringify(e)}\n`);
              }
              cursor = page.nextCursor;
            } while (cursor);
          },
        ),
      ),
  );
  return audit;
}
