import { sql, type Kysely, type Selectable, type SelectQueryBuilder } from 'kysely';
import {
  DEFAULT_TOKEN_SORT,
  TOKEN_SORT_SPEC,
  type TokenSort,
  type TokenSortSpec,
} from '../../domain/token-sort.js';
import type { DialectName } from '../dialect.js';
import type { QuotaRule, RateLimitRule } from '../../domain/token-limits.js';
import type { Database, TokensTable } from '../schema.js';

export type TokenRow = Selectable<TokensTable>;
export type TokenRecord = Omit<
  TokenRow,
  'permissions' | 'domains' | 'allowedIps' | 'rateLimits' | 'quota'
> & {
  permissions: string[] | null;
  domains: string[];
  allowedIps: string[];
  rateLimits: RateLimitRule[];
  quota: QuotaRule | null;
};
type JsonFields = 'permissions' | 'domains' | 'allowedIps' | 'rateLimits' | 'quota';

/** A whole token's JSON columns as stored. */
function storedJson(t: Pick<TokenRecord, JsonFields>) {
  return {
    permissions: t.permissions && JSON.stringify(t.permissions),
    domains: JSON.stringify(t.domains),
    allowedIps: JSON.stringify(t.allowedIps),
    rateLimits: JSON.stringify(t.rateLimits),
    quota: t.quota && JSON.stringify(t.quota),
  };
}

/** A change's JSON columns as stored; fields not given stay absent. */
function jsonColumns(t: Partial<Pick<TokenRecord, JsonFields>>) {
  return {
    ...(t.permissions !== undefined ? { permissions: t.permissions && JSON.stringify(t.permissions) } : {}),
    ...(t.domains !== undefined ? { domains: JSON.stringify(t.domains) } : {}),
    ...(t.allowedIps !== undefined ? { allowedIps: JSON.stringify(t.allowedIps) } : {}),
    ...(t.rateLimits !== undefined ? { rateLimits: JSON.stringify(t.rateLimits) } : {}),
    ...(t.quota !== undefined ? { quota: t.quota && JSON.stringify(t.quota) } : {}),
  };
}
export interface TokenView extends TokenRecord {
  ownerName: string | null;
  ownerEmail: string | null;
  ownerDeleted: boolean;
  /** Its service account is disabled (its tokens are refused until it is enabled). */
  ownerDisabled: boolean;
  /** Its service account's windows, which apply when it has none of its own. */
  ownerRateLimits: RateLimitRule[];
}

export type TokenStatus = 'active' | 'revoked' | 'expired' | 'all';
export interface TokenListFilter {
  ownerServiceAccountId?: string;
  ownerUserId?: string;
  type?: 'public' | 'private';
  status: TokenStatus;
  search?: string;
  now: string;
  limit: number;
  /** The order (domain/token-sort.ts); newest first when absent. */
  sort?: TokenSort;
  /** Keyset cursor: the sort key and id of the last row of the previous page, in the same order. */
  after?: { key: string; id: string };
}

export function tokenFromRow(row: TokenRow): TokenRecord {
  return {
    ...row,
    permissions: row.permissions === null ? null : (JSON.parse(row.permissions) as string[]),
    domains: JSON.parse(row.domains) as string[],
    allowedIps: JSON.parse(row.allowedIps) as string[],
    rateLimits: JSON.parse(row.rateLimits) as RateLimitRule[],
    quota: row.quota === null ? null : (JSON.parse(row.quota) as QuotaRule),
  };
}

/** The list's filters (owner, type, search, status at `now`), on any query over `tokens`. */
function matching<QB extends SelectQueryBuilder<Database, 'tokens', object>>(
  q: QB,
  orgId: string,
  f: Omit<TokenListFilter, 'limit' | 'after' | 'sort'>,
): QB {
  let out = q.where('tokens.orgId', '=', orgId);
  if (f.ownerServiceAccountId) out = out.where('tokens.ownerServiceAccountId', '=', f.ownerServiceAccountId);
  if (f.ownerUserId) out = out.where('tokens.ownerUserId', '=', f.ownerUserId);
  if (f.type) out = out.where('tokens.type', '=', f.type);
  // By name or by the hint the console shows (its prefix or last characters). LIKE with an explicit
  // escape character: SQLite has none by default, PostgreSQL uses backslash.
  if (f.search) {
    const pattern = `%${f.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    out = out.where((eb) =>
      eb.or([
        sql<boolean>`${sql.ref('tokens.name')} like ${pattern} escape '\\'`,
        sql<boolean>`${sql.ref('tokens.hint')} like ${pattern} escape '\\'`,
      ]),
    );
  }
  if (f.status === 'active') {
    out = out
      .where('tokens.revokedAt', 'is', null)
      .where((eb) => eb.or([eb('tokens.expiresAt', 'is', null), eb('tokens.expiresAt', '>', f.now)]));
  } else if (f.status === 'revoked') {
    out = out.where('tokens.revokedAt', 'is not', null);
  } else if (f.status === 'expired') {
    out = out.where('tokens.revokedAt', 'is', null).where('tokens.expiresAt', '<=', f.now);
  }
  return out as QB;
}

/** An order's key as SQL: the column, or for a nullable one the column with its missing value filled in. */
function sortKey(spec: TokenSortSpec) {
  const column = sql.ref(`tokens.${spec.column}`);
  return spec.missing === undefined ? column : sql`coalesce(${column}, ${spec.missing})`;
}

export function tokenQueries(db: Kysely<Database>, dialect: DialectName) {
  const view = () =>
    db
      .selectFrom('tokens')
      .leftJoin('serviceAccounts', 'serviceAccounts.id', 'tokens.ownerServiceAccountId')
      .leftJoin('users', 'users.id', 'tokens.ownerUserId')
      .selectAll('tokens')
      .select((eb) => [
        eb.fn.coalesce('serviceAccounts.name', 'users.name').as('ownerName'),
        'users.email as ownerEmail',
        'serviceAccounts.deletedAt as ownerDeletedAt',
        'serviceAccounts.disabledAt as ownerDisabledAt',
        'serviceAccounts.rateLimits as ownerRateLimits',
      ]);
  const toView = (
    row: TokenRow & {
      ownerName: string | null;
      ownerEmail: string | null;
      ownerDeletedAt: string | null;
      ownerDisabledAt: string | null;
      ownerRateLimits: string | null;
    },
  ): TokenView => {
    const { ownerDeletedAt, ownerDisabledAt, ownerRateLimits, ...rest } = row;
    return {
      ...tokenFromRow(rest),
      ownerName: row.ownerName,
      ownerEmail: row.ownerEmail,
      ownerDeleted: ownerDeletedAt !== null,
      ownerDisabled: ownerDisabledAt !== null,
      ownerRateLimits: ownerRateLimits === null ? [] : (JSON.parse(ownerRateLimits) as RateLimitRule[]),
    };
  };

  return {
    /**
     * Locks the token's row for the rest of the transaction (PostgreSQL; SQLite runs one write transaction
     * at a time), so two rotations of one token cannot both keep the same previous secret.
     */
    async lockForUpdate(id: string): Promise<void> {
      if (dialect === 'postgres')
        await db.selectFrom('tokens').select('id').where('id', '=', id).forUpdate().execute();
    },
    async insert(token: TokenRecord): Promise<void> {
      await db
        .insertInto('tokens')
        .values({ ...token, ...storedJson(token) })
        .execute();
    },
    /** Several tokens in one statement (the import writes thousands; keep `tokens` to a few hundred). */
    async insertMany(tokens: readonly TokenRecord[]): Promise<void> {
      if (tokens.length === 0) return;
      await db
        .insertInto('tokens')
        .values(tokens.map((t) => ({ ...t, ...storedJson(t) })))
        .execute();
    },
    async findInOrg(orgId: string, id: string): Promise<TokenView | undefined> {
      const row = await view()
        .where('tokens.orgId', '=', orgId)
        .where('tokens.id', '=', id)
        .executeTakeFirst();
      return row && toView(row);
    },
    async findById(id: string): Promise<TokenRecord | undefined> {
      const row = await db.selectFrom('tokens').selectAll().where('id', '=', id).executeTakeFirst();
      return row && tokenFromRow(row);
    },
    async findByHash(hash: string): Promise<TokenRecord | undefined> {
      const row = await db.selectFrom('tokens').selectAll().where('hash', '=', hash).executeTakeFirst();
      return row && tokenFromRow(row);
    },
    /**
     * The id of `orgId`'s token whose value, or a value a rotation replaced, hashes to `hash`: one query
     * that never looks at another org's tokens (so it costs the same whoever holds the value).
     */
    async idOfValueInOrg(orgId: string, hash: string): Promise<string | undefined> {
      const row = await db
        .selectFrom('tokens')
        .leftJoin('tokenPreviousSecrets', (join) =>
          join
            .onRef('tokenPreviousSecrets.tokenId', '=', 'tokens.id')
            .on('tokenPreviousSecrets.hash', '=', hash),
        )
        .select('tokens.id')
        .where('tokens.orgId', '=', orgId)
        .where((eb) => eb.or([eb('tokens.hash', '=', hash), eb('tokenPreviousSecrets.hash', '=', hash)]))
        .executeTakeFirst();
      return row?.id;
    },
    /**
     * The org holding each of `hashes` that exists (revoked tokens included: values stay unique),
     * within `onlyOrgId` when given (the import's dry run never looks at other orgs).
     */
    async orgsOfHashes(hashes: string[], onlyOrgId?: string): Promise<Map<string, string>> {
      const found = new Map<string, string>();
      // Chunked to stay under SQLite's bound-parameter limit.
      for (let i = 0; i < hashes.length; i += 500) {
        let q = db
          .selectFrom('tokens')
          .select(['hash', 'orgId'])
          .where('hash', 'in', hashes.slice(i, i + 500));
        if (onlyOrgId !== undefined) q = q.where('orgId', '=', onlyOrgId);
        const rows = await q.execute();
        for (const r of rows) found.set(r.hash, r.orgId);
        // A value a rotation replaced is still the token's (it answers token_rotated): never a new one.
        let previous = db
          .selectFrom('tokenPreviousSecrets')
          .innerJoin('tokens', 'tokens.id', 'tokenPreviousSecrets.tokenId')
          .select(['tokenPreviousSecrets.hash as hash', 'tokens.orgId as orgId'])
          .where('tokenPreviousSecrets.hash', 'in', hashes.slice(i, i + 500));
        if (onlyOrgId !== undefined) previous = previous.where('tokens.orgId', '=', onlyOrgId);
        for (const r of await previous.execute()) found.set(r.hash, r.orgId);
      }
      return found;
    },
    async list(orgId: string, f: TokenListFilter): Promise<TokenView[]> {
      const spec = TOKEN_SORT_SPEC[f.sort ?? DEFAULT_TOKEN_SORT];
      const key = sortKey(spec);
      let q = matching(view(), orgId, f);
      if (f.after) {
        const { key: k, id } = f.after;
        const past = spec.direction === 'desc' ? '<' : '>';
        q = q.where((eb) => eb.or([eb(key, past, k), eb.and([eb(key, '=', k), eb('tokens.id', past, id)])]));
      }
      const rows = await q
        .orderBy(key, spec.direction)
        .orderBy('tokens.id', spec.direction)
        .limit(f.limit)
        .execute();
      return rows.map(toView);
    },
    /** How many tokens the filters match in all (the list's `total`; the cursor and limit aside). */
    async count(orgId: string, f: Omit<TokenListFilter, 'limit' | 'after' | 'sort'>): Promise<number> {
      const row = await matching(db.selectFrom('tokens'), orgId, f)
        .select((eb) => eb.fn.countAll<number | string>().as('n'))
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },
    /** A token's key in an order, for the next page's cursor (a missing value as the order places it). */
    sortKeyOf(t: TokenRecord, sort: TokenSort | undefined): string {
      const spec = TOKEN_SORT_SPEC[sort ?? DEFAULT_TOKEN_SORT];
      return t[spec.column] ?? spec.missing ?? '';
    },
    /** Every token of an org that is neither revoked nor expired at `now` (the hygiene report). */
    async live(orgId: string, now: string): Promise<TokenView[]> {
      const rows = await view()
        .where('tokens.orgId', '=', orgId)
        .where('tokens.revokedAt', 'is', null)
        .where((eb) => eb.or([eb('tokens.expiresAt', 'is', null), eb('tokens.expiresAt', '>', now)]))
        .orderBy('tokens.createdAt', 'desc')
        .orderBy('tokens.id', 'desc')
        .execute();
      return rows.map(toView);
    },
    /**
     * A live token (neither revoked nor expired at `now`) of this owner with this exact name, other than
     * `exceptId`: names are how people tell an owner's tokens apart, so one owner's live tokens have
     * different names.
     */
    async liveNamed(
      orgId: string,
      owner: { userId: string } | { serviceAccountId: string },
      name: string,
      now: string,
      exceptId?: string,
    ): Promise<string | undefined> {
      let q = db
        .selectFrom('tokens')
        .select('id')
        .where('orgId', '=', orgId)
        .where('name', '=', name)
        .where('revokedAt', 'is', null)
        .where((eb) => eb.or([eb('expiresAt', 'is', null), eb('expiresAt', '>', now)]));
      q =
        'userId' in owner
          ? q.where('ownerUserId', '=', owner.userId)
          : q.where('ownerServiceAccountId', '=', owner.serviceAccountId);
      if (exceptId) q = q.where('id', '!=', exceptId);
      return (await q.executeTakeFirst())?.id;
    },
    /** Active (not revoked) tokens owned by a user in an org, or by a service account. */
    async activeOwnedBy(
      orgId: string,
      owner: { userId: string } | { serviceAccountId: string },
    ): Promise<TokenRecord[]> {
      let q = db.selectFrom('tokens').selectAll().where('orgId', '=', orgId).where('revokedAt', 'is', null);
      q =
        'userId' in owner
          ? q.where('ownerUserId', '=', owner.userId)
          : q.where('ownerServiceAccountId', '=', owner.serviceAccountId);
      const rows = await q.orderBy('createdAt').execute();
      return rows.map(tokenFromRow);
    },
    async update(
      id: string,
      patch: Partial<
        Pick<
          TokenRecord,
          | 'name'
          | 'domains'
          | 'allowedIps'
          | 'enforcement'
          | 'rateLimits'
          | 'quota'
          | 'permissions'
          | 'expiresAt'
          | 'revokedAt'
          | 'ownerServiceAccountId'
          | 'ownerUserId'
          | 'updatedAt'
          | 'hash'
          | 'hint'
          | 'publicValue'
          | 'rotatedAt'
          | 'suspendedAt'
          | 'compromisedAt'
          | 'leakWhere'
          | 'leakNote'
          | 'exposedAt'
          | 'exposedUrl'
          | 'exposedSource'
        >
      >,
    ): Promise<void> {
      const { domains, allowedIps, permissions, rateLimits, quota, ...rest } = patch;
      await db
        .updateTable('tokens')
        .set({ ...rest, ...jsonColumns({ domains, allowedIps, permissions, rateLimits, quota }) })
        .where('id', '=', id)
        .execute();
    },
  };
}
