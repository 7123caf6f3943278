/**
 * The one date-time rule for every date-time Latchkey accepts (query strings, bodies, cursors): an
 * RFC 3339 timestamp that both stores can hold and JavaScript can represent — a real calendar date,
 * years 0001–9999 (also after applying the offset), seconds 00–59 (no leap second: JavaScript and
 * PostgreSQL cannot represent :60), an explicit `Z` or `±hh:mm` offset.
 */
export const DATE_TIME_RULE =
  'An ISO-8601 date-time with a time zone, e.g. 2026-01-31T12:00:00Z: a real calendar date, years 0001–9999, seconds 00–59.';

const SHAPE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d{1,9})?(?:Z|[+-](\d{2}):(\d{2}))$/;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const EARLIEST = Date.parse('0001-01-01T00:00:00.000Z');
const LATEST = Date.parse('9999-12-31T23:59:59.999Z');

const isLeapYear = (y: number) => y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);

/** True when `value` is a date-time this rule accepts. Pure; the HTTP schemas' `date-time` format. */
export function isStrictDateTime(value: string): boolean {
  const m = SHAPE.exec(value);
  if (!m) return false;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (year < 1 || month < 1 || month > 12 || day < 1) return false;
  if (day > (month === 2 && isLeapYear(year) ? 29 : DAYS_IN_MONTH[month - 1]!)) return false;
  if (hour > 23 || minute > 59 || second > 59) return false;
  if (m[7] !== undefined && (Number(m[7]) > 23 || Number(m[8]) > 59)) return false;
  const at = Date.parse(value);
  return Number.isFinite(at) && at >= EARLIEST && at <= LATEST;
}
