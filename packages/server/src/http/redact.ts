/**
 * Query parameters whose values are credentials (`?bearer_token=…` is how browsers send tokens), or may be
 * (`search`: someone may paste a token into a search box; the console sends values by POST, but not every
 * client does).
 */
const SECRET_PARAMS = new Set(['bearer_token', 'token', 'search']);

/**
 * A query parameter name as the most lenient parser would read it: percent-decoded (up to three times,
 * so `bearer%255Ftoken` counts too; a bad escape stays as written), `+` as a space, lower-case, without a
 * `[…]` suffix (`bearer_token[]`), with `.` and spaces as `_` (PHP's reading). Redacting too much is
 * harmless; missing one spelling a platform accepts would print a token.
 */
function lenientName(raw: string): string {
  let name = raw.replace(/\+/g, ' ');
  for (let i = 0; i < 3; i++) {
    const next = name.replace(/%([0-9a-f]{2})/gi, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
    if (next === name) break;
    name = next;
  }
  const bracket = name.indexOf('[');
  if (bracket !== -1) name = name.slice(0, bracket);
  return name.trim().toLowerCase().replace(/[. ]/g, '_');
}

/** Removes token values from a URL before it is logged, however the parameter name is encoded. */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q === -1) return url;
  const hash = url.indexOf('#', q);
  const query = url.slice(q + 1, hash === -1 ? undefined : hash);
  const redacted = query
    .split(/([&;])/)
    .map((part) => {
      const eq = part.indexOf('=');
      return eq !== -1 && SECRET_PARAMS.has(lenientName(part.slice(0, eq)))
        ? `${part.slice(0, eq)}=[REDACTED]`
        : part;
    })
    .join('');
  return `${url.slice(0, q + 1)}${redacted}${hash === -1 ? '' : url.slice(hash)}`;
}

/** Paths pino must never print: credentials in headers and bodies. */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-latchkey-verify-secret"]',
  'req.headers["x-csrf-token"]',
  'req.headers["x-original-uri"]',
  'req.headers["x-forwarded-uri"]',
  'res.headers["set-cookie"]',
  '*.password',
  '*.token',
  '*.value',
];
