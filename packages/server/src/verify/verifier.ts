import { originAllowed } from '../domain/origins.js';
import { effectiveTokenPermissions, grants, type Permission, type PermissionCatalog } from '../domain/permissions.js';
import { hashToken, parseToken } from '../domain/token-format.js';
import type { TokenLookup, TokenLookupRow } from '../store/queries/verify-lookup.js';
import type { VerifyCode } from './codes.js';

export interface VerifyRequest {
  /** The presented value; `undefined`/empty → token_missing. */
  token: string | undefined;
  /** The request's origin, already derived from Origin/Referer (null = none). */
  origin: string | null;
  /** A permission the caller requires, e.g. `assets:view`. */
  permission?: string;
}

export interface VerifyIdentity {
  org: { id: string; slug: string };
  tokenId: string;
  owner: { type: 'service_account' | 'user'; id: string; name: string };
  type: 'public' | 'private';
  permissions: Permission[];
}

export type VerifyResult =
  | ({ valid: true; code: 'valid'; origin: string | null } & VerifyIdentity)
  | { valid: false; code: Exclude<VerifyCode, 'valid'>; identity?: VerifyIdentity };

export interface Verifier {
  verify(req: VerifyRequest): Promise<VerifyResult>;
}

/**
 * The one decision every entry point uses (SPEC §4). Order: format → lookup → state → origin →
 * permission. Denials are values; only infrastructure failures (the database) throw.
 */
export function createVerifier(deps: {
  lookup: TokenLookup;
  catalog: PermissionCatalog;
  tokenPrefix: string;
  now?: () => number;
  /** Whether values not in Latchkey's format may be looked up (only once legacy tokens were imported). */
  foreignLookups?: () => boolean;
  /** Called for each decision (metrics, usage); must not block. */
  onDecision?: (result: VerifyResult, seconds: number) => void;
}): Verifier {
  const now = deps.now ?? Date.now;
  const foreign = deps.foreignLookups ?? (() => true);

  function identity(row: TokenLookupRow): VerifyIdentity {
    return {
      org: { id: row.orgId, slug: row.orgSlug },
      tokenId: row.tokenId,
      owner: row.ownerServiceAccountId
        ? { type: 'service_account', id: row.ownerServiceAccountId, name: row.ownerName ?? '' }
        : { type: 'user', id: row.ownerUserId ?? '', name: row.ownerName ?? '' },
      type: row.type,
      permissions: effectiveTokenPermissions({
        ownerRole: row.rolePermissions,
        tokenPermissions: row.permissions,
        type: row.type,
        catalog: deps.catalog,
      }),
    };
  }

  async function decide(req: VerifyRequest): Promise<VerifyResult> {
      if (req.token === undefined || req.token === '') return { valid: false, code: 'token_missing' };
      const parsed = parseToken(req.token, deps.tokenPrefix);
      if (parsed.kind === 'malformed') return { valid: false, code: 'token_invalid' };
      if (parsed.kind === 'foreign' && !foreign()) return { valid: false, code: 'token_invalid' };

      const row = await deps.lookup.byHash(hashToken(req.token));
      if (!row) return { valid: false, code: 'token_invalid' };
      // A value in our format whose marker disagrees with the stored type is not that token.
      if (parsed.kind === 'latchkey' && parsed.type !== row.type) return { valid: false, code: 'token_invalid' };

      const id = identity(row);
      if (row.revokedAt !== null) return { valid: false, code: 'token_revoked', identity: id };
      if (row.expiresAt !== null && Date.parse(row.expiresAt) <= now()) return { valid: false, code: 'token_expired', identity: id };
      if (row.ownerInactive) return { valid: false, code: 'owner_disabled', identity: id };

      if (row.type === 'public') {
        if (req.origin === null) return { valid: false, code: 'origin_required', identity: id };
        if (!originAllowed(req.origin, row.domains)) return { valid: false, code: 'origin_not_allowed', identity: id };
      }
      if (req.permission !== undefined && !grants(id.permissions, req.permission)) {
        return { valid: false, code: 'permission_denied', identity: id };
      }
      return { valid: true, code: 'valid', origin: row.type === 'public' ? req.origin : null, ...id };
  }

  return {
    async verify(req) {
      if (!deps.onDecision) return decide(req);
      const started = process.hrtime.bigint();
      const result = await decide(req);
      deps.onDecision(result, Number(process.hrtime.bigint() - started) / 1e9);
      return result;
    },
  };
}
