import { sql, type Kysely } from 'kysely';
import type SQLite from 'better-sqlite3';
import type pg from 'pg';
import { BoundedMemo } from '../../domain/bounded-memo.js';
import type { QuotaRule, RateLimitRule } from '../../domain/token-limits.js';
import type { Database } from '../schema.js';

/**
 * The token's current secret (with the hash of a previous one still verifying, if any), or a previous
 * one: until when it verifies, and whether it has retired already.
 */
export type LookupSecret =
  /** `pending`: the hash of a previous secret still verifying; it retires on this one's first use if asked. */
  | { kind: 'current'; pending: string | null; retiresOnFirstUse: boolean }
  | { kind: 'previous'; retiresAt: string | null; retired: boolean };

/** Everything the verifier needs about one token, in one round trip. */
export interface TokenLookupRow {
  tokenId: string;
  orgId: string;
  orgSlug: string;
  type: 'public' | 'private';
  domains: string[];
  /** CIDR ranges the token may be used from; empty: anywhere. */
  allowedIps: string[];
  /** `report_only`: the origin and IP allowlists warn instead of refusing. */
  enforcement: 'enforce' | 'report_only';
  /**
   * Named windows — its own, else its service account's — (empty: none) and credits (null: none), checked
   * after everything else (issue 15).
   */
  rateLimits: readonly RateLimitRule[];
  quota: QuotaRule | null;
  permissions: string[] | null;
  expiresAt: string | null;
  revokedAt: string | null;
  suspendedAt: string | null;
  /** Which of the token's secrets this hash is (rotation, docs/lifecycle.md). */
  secret: LookupSecret;
  ownerServiceAccountId: string | null;
  ownerUserId: string | null;
  ownerName: string | null;
  /** The owner can no longer act: account disabled/deleted, or user no longer a member. */
  ownerInactive: boolean;
  /** The owner's role, so a role change can drop exactly the entries it affects. */
  roleId: string | null;
  rolePermissions: string[];
}

export interface TokenLookup {
  /** `null` when no token has this hash. */
  byHash(hash: string): Promise<TokenLookupRow | null>;
  /**
   * Synchronous answer when one is at hand without I/O (a cache hit): the row, `null` for a known
   * unknown, or `undefined` when only `byHash` can tell.
   */
  peek?(hash: string): TokenLookupRow | null | undefined;
  /** Whether any imported (legacy, foreign-format) token exists; decides if foreign values are looked up at all. */
  hasImported(): Promise<boolean>;
}

const COLUMNS = `t.id as tokenid, t.org_id as orgid, o.slug as orgslug, t.type as type, t.domains as domains, t.allowed_ips as allowedips, t.enforcement as enforcement,
       t.rate_limits as ratelimits, coalesce(sa.rate_limits, '[]') as saratelimits, t.quota as quota,
       t.permissions as permissions,
       t.expires_at as expiresat, t.revoked_at as revokedat, t.suspended_at as suspendedat,
       t.owner_service_account_id as ownersaid, t.owner_user_id as owneruserid,
       coalesce(sa.name, u.email) as ownername,
       case when t.owner_service_account_id is not null
            then (case when sa.disabled_at is null and sa.deleted_at is null then 0 else 1 end)
            else (case when m.user_id is null then 1 else 0 end) end as ownerinactive,
       coalesce(rs.id, rm.id) as roleid,
       coalesce(rs.permissions, rm.permissions, '[]') as rolepermissions`;

const OWNER_JOINS = `join orgs o on o.id = t.org_id
left join service_accounts sa on sa.id = t.owner_service_account_id
left join roles rs on rs.id = sa.role_id
left join members m on m.org_id = t.org_id and m.user_id = t.owner_user_id
left join roles rm on rm.id = m.role_id
left join users u on u.id = t.owner_user_id`;

/**
 * A hash is a token's current secret or one it had before a rotation (docs/lifecycle.md): one statement
 * finds either (both by unique index), with what the verifier needs to judge the secret — when a previous
 * one retires, and for a current one the previous secret waiting for this value's first use.
 */
const sqlFor = (param: string) => `
select ${COLUMNS}, 0 as previous, null as retiresat, 0 as retired,
       pp.hash as pending, coalesce(pp.retire_on_first_use, 0) as firstuse
from tokens t
${OWNER_JOINS}
left join token_previous_secrets pp on pp.token_id = t.id and pp.retired_at is null
where t.hash = ${param}
union all
select ${COLUMNS}, 1 as previous, p.retires_at as retiresat,
       case when p.retired_at is null then 0 else 1 end as retired, null as pending, 0 as firstuse
from token_previous_secrets p
join tokens t on t.id = p.token_id
${OWNER_JOINS}
where p.hash = ${param}`;

interface RawRow {
  tokenid: string;
  orgid: string;
  orgslug: string;
  type: 'public' | 'private';
  domains: string;
  allowedips: string;
  enforcement: 'enforce' | 'report_only';
  ratelimits: string;
  saratelimits: string;
  quota: string | null;
  permissions: string | null;
  expiresat: string | null;
  revokedat: string | null;
  suspendedat: string | null;
  previous: number;
  retiresat: string | null;
  retired: number;
  pending: string | null;
  firstuse: number;
  ownersaid: string | null;
  owneruserid: string | null;
  ownername: string | null;
  ownerinactive: number;
  roleid: string | null;
  rolepermissions: string;
}

/**
 * Role grants are shared by every token of every holder of the role: parse each distinct JSON text once
 * (bounded, since a text is only ever a role's current grants).
 */
const parsedLists = new Map<string, string[]>();
function parseList(raw: string): string[] {
  let list = parsedLists.get(raw);
  if (!list) {
    if (parsedLists.size > 10_000) parsedLists.clear();
    list = Object.freeze(JSON.parse(raw) as string[]) as string[];
    parsedLists.set(raw, list);
  }
  return list;
}

/** Limits as stored: most tokens have none, and '[]' is parsed once (the list is frozen, like the lists above). */
const NO_RATE_LIMITS: readonly RateLimitRule[] = Object.freeze([]);
function parseRateLimits(raw: string): readonly RateLimitRule[] {
  if (raw === '[]') return NO_RATE_LIMITS;
  return Object.freeze((JSON.parse(raw) as RateLimitRule[]).map((r) => Object.freeze(r)));
}

/**
 * The driver makes new strings for every row, so a cache of 100,000 tokens of one org held 100,000 copies
 * of its id, slug, owner and role: about 200 of the ~490 bytes each cached token cost
 * (bench/cache-memory.mjs). Values many tokens share are kept once (bounded like the lists above).
 */
const sharedStrings = new BoundedMemo<string>(50_000);
const shared = <T extends string | null>(value: T): T =>
  value === null ? value : (sharedStrings.get(value, () => value) as T);

/** The secret of a token never rotated (nearly all of them): one shared object, not one per cached row. */
const CURRENT_ONLY: LookupSecret = Object.freeze({
  kind: 'current',
  pending: null,
  retiresOnFirstUse: false,
});

function fromRaw(r: RawRow): TokenLookupRow {
  return {
    tokenId: r.tokenid,
    orgId: shared(r.orgid),
    orgSlug: shared(r.orgslug),
    type: shared(r.type),
    domains: parseList(r.domains),
    allowedIps: parseList(r.allowedips),
    enforcement: shared(r.enforcement),
    // Its own windows, else its service account's (legacy user-owned tokens have none to inherit).
    rateLimits: r.ratelimits === '[]' ? parseRateLimits(r.saratelimits) : parseRateLimits(r.ratelimits),
    quota: r.quota === null ? null : (Object.freeze(JSON.parse(r.quota)) as QuotaRule),
    permissions: r.permissions === null ? null : parseList(r.permissions),
    expiresAt: r.expiresat,
    revokedAt: r.revokedat,
    suspendedAt: r.suspendedat,
    secret:
      Number(r.previous) === 1
        ? { kind: 'previous', retiresAt: r.retiresat, retired: Number(r.retired) === 1 }
        : r.pending === null && Number(r.firstuse) !== 1
          ? CURRENT_ONLY
          : { kind: 'current', pending: r.pending, retiresOnFirstUse: Number(r.firstuse) === 1 },
    ownerServiceAccountId: shared(r.ownersaid),
    ownerUserId: shared(r.owneruserid),
    ownerName: shared(r.ownername),
    ownerInactive: Number(r.ownerinactive) === 1,
    roleId: shared(r.roleid),
    rolePermissions: parseList(r.rolepermissions),
  };
}

/**
 * The verify hot path's only query. On SQLite it is a statement prepared once (Kysely would
 * re-prepare it per call, ~20× slower); on PostgreSQL it goes through Kysely's pool.
 */
export function createTokenLookup(
  db: Kysely<Database>,
  sqlite?: SQLite.Database,
  pool?: pg.Pool,
): TokenLookup {
  if (sqlite) {
    const stmt = sqlite.prepare<{ hash: string }, RawRow>(sqlFor('@hash'));
    const imported = sqlite.prepare<[], { one: number }>(
      'select 1 as one from tokens where imported_at is not null limit 1',
    );
    return {
      byHash: (hash) => {
        const row = stmt.get({ hash });
        return Promise.resolve(row ? fromRaw(row) : null);
      },
      hasImported: () => Promise.resolve(imported.get() !== undefined),
    };
  }
  if (pool) {
    // A named query is prepared once per connection: planning this join costs ~1.6 ms, ten times the
    // execution, so an unnamed query (re-planned every time) would cap a cold lookup near 500 per second.
    return {
      async byHash(hash) {
        const result = await pool.query<RawRow>({
          name: 'latchkey_verify_lookup',
          text: sqlFor('$1'),
          values: [hash],
        });
        const row = result.rows[0];
        return row ? fromRaw(row) : null;
      },
      async hasImported() {
        const r = await pool.query('select 1 from tokens where imported_at is not null limit 1');
        return (r.rowCount ?? 0) > 0;
      },
    };
  }
  return {
    async byHash(hash) {
      // Aliases have no underscores, so the CamelCasePlugin leaves the result keys as they are.
      const [head, middle, tail] = sqlFor('\u0000').split('\u0000') as [string, string, string];
      const result =
        await sql<RawRow>`${sql.raw(head)}${hash}${sql.raw(middle)}${hash}${sql.raw(tail)}`.execute(db);
      const row = result.rows[0];
      return row ? fromRaw(row) : null;
    },
    async hasImported() {
      const r = await sql<{
        one: number;
      }>`select 1 as one from tokens where imported_at is not null limit 1`.execute(db);
      return r.rows.length > 0;
    },
  };
}

/**
 * Every token hash, in pages ordered by hash (the unique index), for the presence filter
 * (verify/token-presence.ts): read at start-up and when the filter is rebuilt, never per request.
 */
export function createTokenHashScan(db: Kysely<Database>, pageSize = 10_000) {
  // A token's previous secrets count too: their use is answered (token_rotated), not treated as a guess.
  const tables = ['tokens', 'tokenPreviousSecrets'] as const;
  return {
    async count(): Promise<number> {
      let n = 0;
      for (const table of tables) {
        const r = await db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<number | string>().as('n'))
          .executeTakeFirstOrThrow();
        n += Number(r.n);
      }
      return n;
    },
    async *scan(): AsyncGenerator<string[]> {
      for (const table of tables) {
        let after = '';
        for (;;) {
          const rows = await db
            .selectFrom(table)
            .select('hash')
            .where('hash', '>', after)
            .orderBy('hash')
            .limit(pageSize)
            .execute();
          if (rows.length > 0) yield rows.map((r) => r.hash);
          if (rows.length < pageSize) break;
          after = rows[rows.length - 1]!.hash;
        }
      }
    },
  };
}
