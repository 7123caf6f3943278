import { tokenSorts } from '@latchkey/api-client';

/** The list's orders (GET /orgs/{org}/tokens?sort=, from the API contract); newest first when absent. */
export type TokenSort = (typeof tokenSorts)[number];

/** The Tokens page's filters and order, as the URL carries them (`?owner=…&type=…&status=…&q=…&sort=…`). */
export interface TokenFilters {
  owner?: string;
  type?: 'public' | 'private';
  status?: 'expired' | 'revoked' | 'all';
  q?: string;
  sort?: Exclude<TokenSort, 'created_desc'>;
}

const ID = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * Reads the filters from the URL's search, keeping only well-formed values (a hand-edited link cannot send
 * the API anything it would refuse). `status` is absent for the default, active tokens.
 */
export function tokenFiltersFromSearch(s: Record<string, unknown>): TokenFilters {
  const out: TokenFilters = {};
  if (typeof s.owner === 'string' && ID.test(s.owner)) out.owner = s.owner;
  if (s.type === 'public' || s.type === 'private') out.type = s.type;
  if (s.status === 'expired' || s.status === 'revoked' || s.status === 'all') out.status = s.status;
  if (typeof s.q === 'string' && s.q.length > 0 && !looksLikeTokenValue(s.q)) out.q = s.q.slice(0, 100);
  const sort = tokenSorts.find((x) => x === s.sort);
  if (sort && sort !== 'created_desc') out.sort = sort;
  return out;
}

/**
 * Search text that may be a whole token value (a Latchkey value, or a legacy one: 16 or more characters
 * with no space and none of the hint's "…"). The console looks such text up by value, by POST, and keeps it
 * out of the page's URL (browser history, shared links); names and hints are still searched.
 */
export function looksLikeTokenValue(text: string): boolean {
  const t = text.trim();
  return t.length >= 16 && !/\s/.test(t) && !t.includes('…');
}
