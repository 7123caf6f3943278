import { requestOrigin } from './origins.js';

/**
 * Where a request carries its token and origin (SPEC rules 9–10), shared by forward-auth, /verify and the
 * middleware. Pure: works on header values and a raw URL. The origin parser itself is `parseRequestOrigin`
 * in origins.ts, next to the allowlist normalisation whose serialisation it must match.
 */

export type TokenSource = { ok: true; token: string | undefined } | { ok: false };

const BEARER = /^Bearer\s+(\S+)\s*$/i;
const MAX_HEADER_TOKEN = 8192;

/** The `bearer_token` values in a URL's query string (a malformed query yields what URLSearchParams makes of it). */
export function queryTokens(url: string | undefined): string[] {
  if (!url) return [];
  const q = url.indexOf('?');
  if (q === -1) return [];
  const hash = url.indexOf('#', q);
  const query = url.slice(q + 1, hash === -1 ? undefined : hash);
  // Most queries carry no token: without the name, or a percent-escape that could spell it, there is none
  // (and URLSearchParams, ~1 µs, is not needed).
  if (!query.includes('bearer_token') && !query.includes('%')) return [];
  return new URLSearchParams(query).getAll('bearer_token');
}

/**
 * The token from `Authorization: Bearer …` or `?bearer_token=…`. Ambiguity is refused rather than
 * guessed (SPEC §7): two Authorization headers (pass them as an array, see `headerFromRaw`), two query
 * values, or a Bearer header and a query value at once — even an equal one — are `{ok: false}`
 * (token_invalid). An Authorization header of another scheme (e.g. Basic for the platform's own users) is
 * not ours: ignored.
 */
export function extractToken(
  authorization: string | string[] | undefined,
  fromQuery: readonly string[],
): TokenSource {
  if (Array.isArray(authorization)) return { ok: false };
  let header: string | undefined;
  if (authorization !== undefined && authorization !== '') {
    if (authorization.length > MAX_HEADER_TOKEN) return { ok: false };
    const m = BEARER.exec(authorization);
    if (m) header = m[1];
    else if (/^Bearer\b/i.test(authorization)) return { ok: false };
  }
  if (fromQuery.length > 1) return { ok: false };
  const query = fromQuery[0];
  if (header !== undefined && query !== undefined) return { ok: false };
  return { ok: true, token: header ?? (query === '' ? undefined : query) };
}

/**
 * Every value of one header as the client sent it, from Node's `rawHeaders` (`request.raw.rawHeaders`):
 * a string, an array when it came more than once, `undefined` when absent. Node's parsed `headers` keep
 * only the first `Authorization` and silently drop the others, which would hide an ambiguous request.
 * `name` is lower-case.
 */
export function headerFromRaw(rawHeaders: readonly string[], name: string): string | string[] | undefined {
  let first: string | undefined;
  let all: string[] | undefined;
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const key = rawHeaders[i]!;
    if (key.length !== name.length || key.toLowerCase() !== name) continue;
    const value = rawHeaders[i + 1]!;
    if (first === undefined) first = value;
    else (all ??= [first]).push(value);
  }
  return all ?? first;
}

/** The request origin (SPEC rule 9): `Origin`, else the `Referer`'s origin; `null` when neither gives one. */
export function originFromHeaders(
  origin: string | string[] | undefined,
  referer: string | string[] | undefined,
): string | null {
  if (Array.isArray(origin) || Array.isArray(referer)) return null;
  return requestOrigin(origin, referer);
}
