import { requestOrigin } from '../domain/origins.js';

/**
 * Where a request carries its token and origin (SPEC rules 9–10), shared by forward-auth and the
 * middleware. Pure: works on header values and a raw URL.
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
  return new URLSearchParams(url.slice(q + 1, hash === -1 ? undefined : hash)).getAll('bearer_token');
}

/**
 * The token from `Authorization: Bearer …` and/or `?bearer_token=…`. Ambiguity is refused rather than
 * guessed: two query values, or a header and a query value that differ, are `{ok: false}` (token_invalid).
 * An Authorization header of another scheme (e.g. Basic for the platform's own users) is not ours: ignored.
 */
export function extractToken(authorization: string | string[] | undefined, fromQuery: readonly string[]): TokenSource {
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
  if (header !== undefined && query !== undefined && header !== query) return { ok: false };
  return { ok: true, token: header ?? (query === '' ? undefined : query) };
}

/** The request origin: `Origin`, else the `Referer`'s origin; `null` when neither gives one. */
export function originFromHeaders(origin: string | string[] | undefined, referer: string | string[] | undefined): string | null {
  if (Array.isArray(origin) || Array.isArray(referer)) return null;
  return requestOrigin(origin, referer);
}
