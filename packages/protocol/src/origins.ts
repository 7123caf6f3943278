/**
 * Origins for public-token allowlists (SPEC rules 8–9).
 *
 * An allowlist entry is normalised to the WHATWG origin serialisation `scheme://host[:port]`:
 * lower-case host, IDN → punycode, default port dropped, path/query/fragment dropped, `https://`
 * assumed when no scheme is written. Matching is then plain string equality, which is exactly
 * "same scheme, host and port" — no suffix or wildcard logic anywhere.
 */

export const MAX_ORIGIN_LENGTH = 2048;

export type OriginErrorCode = 'wildcard_domain' | 'invalid_domain';
export type OriginCheck =
  { ok: true; origin: string } | { ok: false; code: OriginErrorCode; message: string };

const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//;
// Controls, whitespace and backslash never belong in an origin; URL() would silently strip or rewrite some.
// eslint-disable-next-line no-control-regex
const FORBIDDEN = /[\u0000-\u0020\u007f\\]/;

export const WILDCARD_MESSAGE =
  'Wildcards are not supported: list every subdomain explicitly, e.g. https://subdomain1.yourwebpage.com and https://subdomain2.yourwebpage.com.';

/** Normalises one allowlist entry, or says why it cannot be one. */
export function normalizeAllowedOrigin(entry: string): OriginCheck {
  const raw = entry.trim();
  if (raw.includes('*')) return { ok: false, code: 'wildcard_domain', message: WILDCARD_MESSAGE };
  if (raw.length === 0 || raw.length > MAX_ORIGIN_LENGTH || FORBIDDEN.test(raw)) {
    return invalid(entry, 'it must be an origin such as https://app.example.com');
  }
  const withScheme = SCHEME.test(raw) ? raw : `https://${raw}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    return invalid(entry, 'it is not a valid origin (scheme://host[:port])');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return invalid(entry, 'only http and https origins are allowed');
  }
  if (url.username !== '' || url.password !== '') return invalid(entry, 'it must not contain credentials');
  if (url.hostname === '') return invalid(entry, 'it has no host');
  return { ok: true, origin: url.origin };
}

function invalid(entry: string, why: string): OriginCheck {
  const shown = entry.length > 80 ? `${entry.slice(0, 80)}…` : entry;
  return { ok: false, code: 'invalid_domain', message: `"${shown}" is not a valid domain: ${why}.` };
}

/**
 * Normalises a whole allowlist, dropping duplicates while keeping order.
 * Returns the first error found so the caller can refuse the whole request.
 */
export function normalizeAllowlist(
  entries: readonly string[],
): { ok: true; origins: string[] } | { ok: false; code: OriginErrorCode; message: string; index: number } {
  const seen = new Set<string>();
  const origins: string[] = [];
  for (const [index, entry] of entries.entries()) {
    const check = normalizeAllowedOrigin(entry);
    if (!check.ok) return { ...check, index };
    if (!seen.has(check.origin)) {
      seen.add(check.origin);
      origins.push(check.origin);
    }
  }
  return { ok: true, origins };
}

/**
 * The one parser of a request's origin, for every entry point (forward-auth's `Origin`/`Referer`, the
 * `origin` field of `POST /verify`, the middleware — all through request-credentials.ts). Accepts an
 * origin or a URL (a Referer) with an explicit `http`/`https` scheme and returns its WHATWG origin
 * serialisation (lower-case host, IDN as punycode, default port dropped, path dropped): the form allowlist
 * entries are stored in. Anything else is `null` (no origin): empty, `null`, no scheme, another scheme,
 * credentials (no browser sends them in an Origin or Referer), a `*` in the host, controls or inner
 * whitespace, over-long values. Leading and trailing spaces and tabs are dropped, as HTTP drops them from header values.
 */
export function parseRequestOrigin(value: string | undefined | null): string | null {
  if (value === undefined || value === null) return null;
  const v = value.replace(/^[ \t]+|[ \t]+$/g, '');
  if (v === '' || v === 'null' || v.length > MAX_ORIGIN_LENGTH || FORBIDDEN.test(v)) return null;
  if (!/^https?:\/\//i.test(v)) return null;
  let url: URL;
  try {
    url = new URL(v);
  } catch {
    return null;
  }
  if (url.username !== '' || url.password !== '') return null;
  if (url.hostname === '' || url.hostname.includes('*')) return null;
  return url.origin;
}

/**
 * The origin of a request (SPEC rule 9): the `Origin` header, else the origin of `Referer`.
 * `Origin: null`, an unparsable value, a non-http(s) scheme or neither header → `null` (no origin).
 */
export function requestOrigin(
  originHeader: string | undefined,
  refererHeader: string | undefined,
): string | null {
  if (originHeader !== undefined && originHeader !== '') return parseRequestOrigin(originHeader);
  return parseRequestOrigin(refererHeader);
}

/** Exact match of an already-normalised request origin against a normalised allowlist. */
export function originAllowed(origin: string, allowlist: readonly string[]): boolean {
  return allowlist.includes(origin);
}
