import { isStrictDateTime } from './date-time.js';

/**
 * The orders the token list can be read in (`GET /orgs/{org}/tokens?sort=`), each a column and a direction;
 * ties go by id in the same direction, so every order is total. Pages never skip or repeat a token whose
 * key stays put while they are read: a token used, renamed or given a new expiry between two pages moves
 * in those orders (the creation orders never move). Tokens never used sort after the used ones, and tokens
 * that never expire after those that do.
 */
export const TOKEN_SORTS = [
  'created_desc',
  'created_asc',
  'name_asc',
  'name_desc',
  'last_used_desc',
  'expires_asc',
] as const;
export type TokenSort = (typeof TOKEN_SORTS)[number];

export const DEFAULT_TOKEN_SORT: TokenSort = 'created_desc';

export interface TokenSortSpec {
  column: 'createdAt' | 'name' | 'lastUsedAt' | 'expiresAt';
  direction: 'asc' | 'desc';
  /** What a missing value sorts as (a moment before or after every real one), for nullable columns. */
  missing?: string;
}

export const TOKEN_SORT_SPEC: Record<TokenSort, TokenSortSpec> = {
  created_desc: { column: 'createdAt', direction: 'desc' },
  created_asc: { column: 'createdAt', direction: 'asc' },
  name_asc: { column: 'name', direction: 'asc' },
  name_desc: { column: 'name', direction: 'desc' },
  last_used_desc: { column: 'lastUsedAt', direction: 'desc', missing: '0001-01-01T00:00:00.000Z' },
  expires_asc: { column: 'expiresAt', direction: 'asc', missing: '9999-12-31T23:59:59.999Z' },
};

/** Whether a cursor's key can be one of this order's keys (a forged one is refused before any query). */
export function isSortKey(spec: TokenSortSpec, key: string): boolean {
  // Names: one line of at most 200 characters (what a token name can be); the others: date-times.
  if (spec.column !== 'name') return isStrictDateTime(key);
  return key.length <= 200 && ![...key].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f);
}
