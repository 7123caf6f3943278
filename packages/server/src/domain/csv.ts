import { stringify } from 'csv-stringify/sync';

/** Leading characters a spreadsheet may read as the start of a formula (OWASP, plus their full-width forms). */
const FORMULA_START = /^[=+\-@\t\r\uFF1D\uFF0B\uFF0D\uFF20]/;

/**
 * One CSV record (RFC 4180, `\n`-terminated) that a spreadsheet opens as data, never as a formula.
 * Following OWASP's CSV-injection advice, a field starting with `=`, `+`, `-`, `@`, a tab or a carriage
 * return (or the full-width `＝＋－＠`) is prefixed with `'` and quoted; any field containing `,`, `"`,
 * `\r` or `\n` is quoted, with `"` doubled. Strings are written as they are, `null`/`undefined` as an
 * empty field, anything else as JSON.
 */
export function csvRecord(values: readonly unknown[]): string {
  const fields = values.map((v) =>
    v === null || v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v),
  );
  return stringify([fields], {
    eof: true,
    record_delimiter: '\n',
    quote_record_delimiter: true,
    escape_formulas: true,
    quoted_match: FORMULA_START,
  });
}
