import { parse } from 'csv-parse/sync';
import { readFileSync } from 'node:fs';
import { UsageError } from '../remote/remote-command.js';

export interface ImportRow {
  ownerEmail: string;
  name: string;
  type: 'public' | 'private';
  domains?: string[];
  allowedIps?: string[];
  enforcement?: 'enforce' | 'report_only';
  value?: string;
  sha256?: string;
  /** ISO-8601; capped at the org's maximum token lifetime. */
  expiresAt?: string;
}

/**
 * Reads a legacy-token file: CSV (header row with the import body's field names: ownerEmail, name, type,
 * domains, value or sha256, and optionally expiresAt, allowedIps and enforcement; lists separated by
 * spaces or ";") or JSON lines
 * (one import row per line).
 * Shape problems are reported with their line; the server checks the rest.
 */
export function readImportFile(path: string): ImportRow[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read ${path}: ${(e as Error).message}`);
  }
  if (/\.jsonl?$/i.test(path) || /^\s*\{/.test(text)) {
    return text
      .split(/\r?\n/)
      .map((line, i) => [line.trim(), i + 1] as const)
      .filter(([line]) => line.length > 0)
      .map(([line, n]) => {
        try {
          return JSON.parse(line) as ImportRow;
        } catch {
          throw new UsageError(`${path}:${n}: not valid JSON`);
        }
      });
  }
  let records: Record<string, string>[];
  try {
    records = parse(text, { columns: true, skip_empty_lines: true, trim: true }) as Record<string, string>[];
  } catch (e) {
    throw new UsageError(`${path}: not valid CSV (${(e as Error).message})`);
  }
  return records.map((r) => {
    const row: ImportRow = {
      ownerEmail: r.ownerEmail ?? '',
      name: r.name ?? '',
      type: (r.type ?? '') as ImportRow['type'],
    };
    if (r.domains) row.domains = r.domains.split(/[\s;]+/).filter(Boolean);
    if (r.allowedIps) row.allowedIps = r.allowedIps.split(/[\s;]+/).filter(Boolean);
    if (r.enforcement) row.enforcement = r.enforcement as ImportRow['enforcement'];
    if (r.value) row.value = r.value;
    if (r.sha256) row.sha256 = r.sha256;
    if (r.expiresAt) row.expiresAt = r.expiresAt;
    return row;
  });
}
