/** The Tokens page's filters, as the URL carries them (`?owner=…&type=…&status=…&q=…`). */
export interface TokenFilters {
  owner?: string;
  type?: 'public' | 'private';
  status?: 'expired' | 'revoked' | 'all';
  q?: string;
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
  if (typeof s.q === 'string' && s.q.length > 0) out.q = s.q.slice(0, 100);
  return out;
}
