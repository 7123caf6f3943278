import { csvRecord } from './csv.js';

/** An audit entry as the API answers it (GET /orgs/{org}/audit-log). */
export interface ExportedEntry {
  id: string;
  at: string;
  action: string;
  actor: { type: string; id: string | null; label: string | null };
  target: { type: string; id: string | null };
  before: unknown;
  after: unknown;
  ip: string | null;
}

export type AuditExportFormat = 'jsonl' | 'csv';

/** The CSV columns, one row per entry; before and after as JSON. The same for the API and the CLI. */
export const AUDIT_CSV_HEADER = [
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
] as const;

/**
 * One entry as a line of the export. Actor labels (e-mails), names and before/after values are
 * user-written: csvRecord keeps a spreadsheet from reading any of them as a formula (OWASP CSV injection).
 */
export function auditExportLine(format: AuditExportFormat, e: ExportedEntry): string {
  if (format === 'jsonl') return `${JSON.stringify(e)}\n`;
  return csvRecord([
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
}

/** The export's first line: the CSV header, nothing for JSON lines. */
export const auditExportHead = (format: AuditExportFormat) =>
  format === 'csv' ? csvRecord(AUDIT_CSV_HEADER) : '';
