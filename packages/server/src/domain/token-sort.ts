/**
 * The orders the token list can be read in (`GET /orgs/{org}/tokens?sort=`), each a column and a direction;
 * ties go by id in the same direction, so every order is total and pages never skip or repeat a token.
 * Tokens never used sort after the used ones, and tokens that never expire after those that do.
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
