import { effectiveTokenPermissions, type Permission, type PermissionCatalog } from '../domain/permissions.js';
import { hashToken, parseTokenShape, tokenChecksumHolds, type ParsedToken } from '../domain/token-format.js';
import type { TokenLookup, TokenLookupRow } from '../store/queries/verify-lookup.js';

/** Effective sets are already expanded (edit ⇒ view); this only guards a caller asking for view with edit held. */
function impliedByEdit(set: ReadonlySet<string>, required: string): boolean {
  return required.endsWith(':view') && set.has(`${required.slice(0, -5)}:edit`);
}
import type { QuotaInfo, RateLimitInfo, TokenIdentity, VerifyCode, VerifyWarning } from '@latchkey/protocol';
import { BoundedMemo } from '../domain/bounded-memo.js';
import { compileIpAllowlist } from '../domain/ip-allowlist.js';
import type { LimitVerdict, TokenLimits } from './token-limits.js';

export interface VerifyRequest {
  /** The presented value; `undefined`/empty → token_missing. */
  token: string | undefined;
  /** The request's origin, already derived from Origin/Referer (null = none). */
  origin: string | null;
  /** A permission the caller requires, e.g. `assets:view`. */
  permission?: string;
  /**
   * The address the token was used from, for a token with an IP allowlist: `/verify`'s `ip`, forward-auth's
   * client from the trusted proxy headers, the middleware's request address. Absent: unknown, which no
   * allowlist contains.
   */
  ip?: string | null;
  /** Credits this verification spends from the token's quota (default 1; 0 checks without spending). */
  cost?: number;
  /**
   * Asked, with the value's hash, just before the database would be consulted (the cache does not know
   * the value); false → token_invalid without a lookup. How a rate-limited client is answered from the
   * cache (and, for values that may exist, the presence filter) only.
   */
  admitLookup?: (hash: string) => boolean;
  /**
   * A valid answer here is not yet a use (the management API: the request may still be refused after it
   * authenticates): a rotation's retire-on-first-use waits for `confirmUse` (docs/lifecycle.md).
   */
  deferUse?: boolean;
}

export type VerifyIdentity = TokenIdentity<Permission>;

export type VerifyResult =
  | ({
      valid: true;
      code: 'valid';
      origin: string | null;
      /** Which of the token's secrets the value is: its current one, or one before a rotation. */
      secret: 'current' | 'previous';
      /** What a report-only allowlist let through (absent when nothing was). */
      warnings?: readonly VerifyWarning[];
    } & VerifyIdentity &
      TokenLimitFields)
  | ({ valid: false; code: Exclude<VerifyCode, 'valid'>; identity?: VerifyIdentity } & TokenLimitFields);

/** For a token with limits: its tightest (or refusing) rate-limit window and its quota's balance. */
export interface TokenLimitFields {
  rateLimit?: RateLimitInfo;
  quota?: QuotaInfo;
}

export const LATENCY_SAMPLE_EVERY = 16;

/**
 * On a valid result, the identity it was made from (a non-enumerable property: the result's own fields
 * stay as they are). One object per cached token, so the HTTP entry points key their prepared answers on
 * it (see http/verify-answer.ts).
 */
export const IDENTITY: unique symbol = Symbol('latchkey.identity');

/** The identity behind a result: the cached token's one object, or undefined when none was found. */
export function identityOf(result: VerifyResult): VerifyIdentity | undefined {
  return result.valid ? (result as { [IDENTITY]?: VerifyIdentity })[IDENTITY] : result.identity;
}

function withIdentity<T extends object>(result: T, identity: VerifyIdentity): T {
  return Object.defineProperty(result, IDENTITY, { value: identity });
}

export interface Verifier {
  verify(req: VerifyRequest): Promise<VerifyResult>;
  /**
   * The same decision, synchronously when the cache knows the value (the common case), else a promise:
   * the HTTP hot path answers a cached token without a microtask in between.
   */
  verifyNow(req: VerifyRequest): VerifyResult | Promise<VerifyResult>;
  /**
   * The request a `deferUse` verification authenticated succeeded: now it counts as the value's use (a
   * rotated token's new value retires the old one on its first successful use).
   */
  confirmUse(token: string): void;
  /** The clock decisions are made by (ms): a limit's Retry-After and RateLimit-Reset count from it. */
  now(): number;
}

/**
 * The one decision every entry point uses (SPEC §4). Order: format → lookup → state → origin → IP →
 * permission → rate limits → quota (only a request that would be allowed is counted). Denials are values; only infrastructure failures (the database) throw.
 */
export function createVerifier(deps: {
  lookup: TokenLookup;
  catalog: PermissionCatalog;
  tokenPrefix: string;
  now?: () => number;
  /** Whether values not in Latchkey's format may be looked up (only once legacy tokens were imported). */
  foreignLookups?: () => boolean;
  /**
   * Called for each decision (metrics, usage); must not block. `seconds` is the decision's duration for
   * one call in LATENCY_SAMPLE_EVERY (timing every call costs more than a cached decision), else null.
   */
  onDecision?: (result: VerifyResult, seconds: number | null, req: VerifyRequest) => void;
  /**
   * The first successful verification of a new value whose previous one retires on first use
   * (rotation, docs/lifecycle.md): retires it everywhere. Called once per cached token; must not block.
   */
  onFirstUse?: (tokenId: string, previousHash: string) => void;
  /** Rate limits and quotas (issue 15); without it, limits are not enforced (tests of the rest). */
  limits?: TokenLimits;
}): Verifier {
  const now = deps.now ?? Date.now;
  const foreign = deps.foreignLookups ?? (() => true);
  /**
   * Everything derivable from a row, computed once per cached row (rows are shared objects, so a
   * WeakMap keyed by them lives exactly as long as the cache entry): the identity, the permission set,
   * the expiry as a number, and for private tokens the complete "valid" answer, reused as is.
   */
  interface Prepared {
    identity: VerifyIdentity;
    permissionSet: ReadonlySet<string>;
    expiresAtMs: number | null;
    /** For a previous secret: when it stops verifying (null: only when retired). */
    retiresAtMs: number | null;
    domains: ReadonlySet<string>;
    /** The IP allowlist's check; null when the token has none (used from anywhere). */
    ipAllowed: ((address: string) => boolean) | null;
    reportOnly: boolean;
    /** It has rate limits or a quota: each valid answer is counted and carries their state. */
    limited: boolean;
    validPrivate: VerifyResult | null;
  }
  const prepared = new WeakMap<TokenLookupRow, Prepared>();
  // Effective permissions depend only on (type, role grants, token list), and those lists are shared
  // objects (see verify-lookup's parseList): memoise per combination, bounded.
  const effective = new Map<string[], Map<string[] | null, Map<string, Permission[]>>>();
  let effectiveSize = 0;
  const permissionSets = new WeakMap<readonly string[], ReadonlySet<string>>();
  function effectiveFor(row: TokenLookupRow): Permission[] {
    if (effectiveSize > 10_000) {
      effective.clear();
      effectiveSize = 0;
    }
    let byToken = effective.get(row.rolePermissions);
    if (!byToken) effective.set(row.rolePermissions, (byToken = new Map()));
    let byType = byToken.get(row.permissions);
    if (!byType) byToken.set(row.permissions, (byType = new Map()));
    let list = byType.get(row.type);
    if (!list) {
      list = Object.freeze(
        effectiveTokenPermissions({
          ownerRole: row.rolePermissions,
          tokenPermissions: row.permissions,
          type: row.type,
          catalog: deps.catalog,
        }),
      ) as Permission[];
      byType.set(row.type, list);
      effectiveSize += 1;
    }
    return list;
  }

  // What many cached tokens have in common is kept once: a million cached tokens each with their own org
  // and owner objects and domain set held ~240 MB more (test/verify/cache-memory.test.ts). Sharing is safe:
  // org and owner are frozen, and a domain set is only ever read (`has`).
  const orgs = new BoundedMemo<VerifyIdentity['org']>();
  const owners = new BoundedMemo<VerifyIdentity['owner']>();
  const domainSets = new WeakMap<readonly string[], ReadonlySet<string>>();
  function ownerOf(row: TokenLookupRow): VerifyIdentity['owner'] {
    const sa = row.ownerServiceAccountId;
    const type = sa ? 'service_account' : 'user';
    const id = sa ? sa : (row.ownerUserId ?? '');
    const name = row.ownerName ?? '';
    return owners.get(`${type}\n${id}\n${name}`, () => Object.freeze({ type, id, name }));
  }
  function domainSet(domains: readonly string[]): ReadonlySet<string> {
    let set = domainSets.get(domains);
    if (!set) domainSets.set(domains, (set = new Set(domains)));
    return set;
  }

  function prepare(row: TokenLookupRow): Prepared {
    let p = prepared.get(row);
    if (p) return p;
    const identity: VerifyIdentity = Object.freeze({
      org: orgs.get(`${row.orgId}\n${row.orgSlug}`, () =>
        Object.freeze({ id: row.orgId, slug: row.orgSlug }),
      ),
      tokenId: row.tokenId,
      owner: ownerOf(row),
      type: row.type,
      permissions: effectiveFor(row),
    });
    let permissionSet = permissionSets.get(identity.permissions);
    if (!permissionSet)
      permissionSets.set(identity.permissions, (permissionSet = new Set(identity.permissions)));
    p = {
      identity,
      permissionSet,
      expiresAtMs: row.expiresAt === null ? null : Date.parse(row.expiresAt),
      retiresAtMs:
        row.secret.kind === 'previous' && row.secret.retiresAt !== null
          ? Date.parse(row.secret.retiresAt)
          : null,
      domains: domainSet(row.domains),
      ipAllowed: row.allowedIps.length === 0 ? null : compileIpAllowlist(row.allowedIps),
      reportOnly: row.enforcement === 'report_only',
      limited: row.rateLimits.length > 0 || row.quota !== null,
      validPrivate:
        row.type === 'private'
          ? Object.freeze(
              withIdentity(
                {
                  valid: true as const,
                  code: 'valid' as const,
                  origin: null,
                  secret: row.secret.kind,
                  ...identity,
                },
                identity,
              ),
            )
          : null,
    };
    prepared.set(row, p);
    return p;
  }

  let calls = 0;

  // Rows whose first use was reported: the retirement invalidates this entry (a fresh lookup no longer
  // names a previous secret), and until then no second report.
  const firstUseReported = new WeakSet<TokenLookupRow>();
  function firstUse(row: TokenLookupRow): void {
    if (firstUseReported.has(row) || row.secret.kind !== 'current' || row.secret.pending === null) return;
    firstUseReported.add(row);
    deps.onFirstUse?.(row.tokenId, row.secret.pending);
  }

  /** Synchronous on a cache hit (no promise machinery on the hot path); async only for a real lookup. */
  function decide(req: VerifyRequest): VerifyResult | Promise<VerifyResult> {
    if (req.token === undefined || req.token === '') return { valid: false, code: 'token_missing' };
    const parsed = parseTokenShape(req.token, deps.tokenPrefix);
    if (parsed.kind === 'malformed') return { valid: false, code: 'token_invalid' };
    if (parsed.kind === 'foreign' && !foreign()) return { valid: false, code: 'token_invalid' };

    const hash = hashToken(req.token);
    const known = deps.lookup.peek?.(hash);
    if (known !== undefined) return judge(req, parsed, known);
    // Not cached: a typo or a forgery in our format is refused here, without a lookup or a cache entry.
    if (parsed.kind === 'latchkey' && !tokenChecksumHolds(req.token))
      return { valid: false, code: 'token_invalid' };
    if (req.admitLookup && !req.admitLookup(hash)) return { valid: false, code: 'token_invalid' };
    return deps.lookup.byHash(hash).then((row) => judge(req, parsed, row));
  }

  function judge(
    req: VerifyRequest,
    parsed: ParsedToken,
    row: TokenLookupRow | null,
  ): VerifyResult | Promise<VerifyResult> {
    if (!row) return { valid: false, code: 'token_invalid' };
    // A value in our format whose marker disagrees with the stored type is not that token.
    if (parsed.kind === 'latchkey' && parsed.type !== row.type)
      return { valid: false, code: 'token_invalid' };

    const p = prepare(row);
    if (row.revokedAt !== null) return { valid: false, code: 'token_revoked', identity: p.identity };
    // An old value once its overlap ended: said apart from "unknown", so support can tell what happened.
    if (
      row.secret.kind === 'previous' &&
      (row.secret.retired || (p.retiresAtMs !== null && p.retiresAtMs <= now()))
    )
      return { valid: false, code: 'token_rotated', identity: p.identity };
    if (p.expiresAtMs !== null && p.expiresAtMs <= now())
      return { valid: false, code: 'token_expired', identity: p.identity };
    if (row.suspendedAt !== null) return { valid: false, code: 'token_suspended', identity: p.identity };
    if (row.ownerInactive) return { valid: false, code: 'owner_disabled', identity: p.identity };

    // Where from: the origin allowlist (public tokens), then the IP allowlist. Report-only turns each
    // refusal into a warning on an answer that is otherwise decided as usual.
    let warnings: VerifyWarning[] | null = null;
    if (row.type === 'public') {
      const refused =
        req.origin === null ? 'origin_required' : p.domains.has(req.origin) ? null : 'origin_not_allowed';
      if (refused !== null) {
        if (!p.reportOnly) return { valid: false, code: refused, identity: p.identity };
        warnings = [refused];
      }
    }
    if (p.ipAllowed !== null && (req.ip == null || !p.ipAllowed(req.ip))) {
      if (!p.reportOnly) return { valid: false, code: 'ip_not_allowed', identity: p.identity };
      (warnings ??= []).push('ip_not_allowed');
    }
    if (
      req.permission !== undefined &&
      !p.permissionSet.has(req.permission) &&
      !impliedByEdit(p.permissionSet, req.permission)
    ) {
      return { valid: false, code: 'permission_denied', identity: p.identity };
    }
    if (p.limited && deps.limits) {
      const verdict = deps.limits.check(row.tokenId, row.rateLimits, row.quota, req.cost ?? 1);
      if (verdict instanceof Promise) return verdict.then((v) => limitedAnswer(req, row, p, warnings, v));
      return limitedAnswer(req, row, p, warnings, verdict);
    }
    return allowed(req, row, p, warnings);
  }

  /** A token with limits: refused by them, or allowed with their state in the answer. */
  function limitedAnswer(
    req: VerifyRequest,
    row: TokenLookupRow,
    p: Prepared,
    warnings: VerifyWarning[] | null,
    v: LimitVerdict,
  ): VerifyResult {
    const fields: TokenLimitFields = {};
    if (v.rateLimit) fields.rateLimit = v.rateLimit;
    if (v.quota) fields.quota = v.quota;
    if (!v.ok) return { valid: false, code: v.code, identity: p.identity, ...fields };
    return allowed(req, row, p, warnings, fields);
  }

  /**
   * The valid answer: the token's prepared one (a private token, nothing request-specific), else built
   * with what this request adds — report-only warnings, the limits' state.
   */
  function allowed(
    req: VerifyRequest,
    row: TokenLookupRow,
    p: Prepared,
    warnings: VerifyWarning[] | null,
    fields: TokenLimitFields | null = null,
  ): VerifyResult {
    if (row.secret.kind === 'current' && row.secret.retiresOnFirstUse && !req.deferUse) firstUse(row);
    if (warnings === null && fields === null && p.validPrivate) return p.validPrivate;
    return withIdentity(
      {
        valid: true,
        code: 'valid',
        origin: row.type === 'public' ? req.origin : null,
        secret: row.secret.kind,
        ...(warnings !== null ? { warnings } : {}),
        ...p.identity,
        ...fields,
      },
      p.identity,
    );
  }

  function verifyNow(req: VerifyRequest): VerifyResult | Promise<VerifyResult> {
    const onDecision = deps.onDecision;
    if (!onDecision) return decide(req);
    if (++calls % LATENCY_SAMPLE_EVERY !== 0) {
      const decided = decide(req);
      if (decided instanceof Promise) {
        return decided.then((result) => {
          onDecision(result, null, req);
          return result;
        });
      }
      onDecision(decided, null, req);
      return decided;
    }
    const started = performance.now();
    const decided = decide(req);
    const done = (result: VerifyResult) => {
      onDecision(result, (performance.now() - started) / 1000, req);
      return result;
    };
    return decided instanceof Promise ? decided.then(done) : done(decided);
  }

  return {
    verifyNow,
    now,
    async verify(req) {
      return verifyNow(req);
    },
    confirmUse(token) {
      // Only a value verified a moment ago is confirmed: it is in the cache (if evicted meanwhile, the old
      // value retires at its bound instead).
      const row = deps.lookup.peek?.(hashToken(token));
      if (row && row.secret.kind === 'current' && row.secret.retiresOnFirstUse) firstUse(row);
    },
  };
}
