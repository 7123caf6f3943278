import { normalizeAllowlist, type OriginErrorCode } from '@latchkey/protocol';
import type { TokenType } from './token-format.js';

/**
 * The rules of one token that need nothing but the token: its status at a moment, and which domains it
 * may carry. Pure, so create, import and (soon) rotate apply the same ones, and tests need no store.
 */

export type TokenStatusName = 'active' | 'suspended' | 'revoked' | 'expired';

export function tokenStatus(
  t: { revokedAt: string | null; expiresAt: string | null; suspendedAt: string | null },
  now: string,
): TokenStatusName {
  if (t.revokedAt !== null) return 'revoked';
  if (t.expiresAt !== null && t.expiresAt <= now) return 'expired';
  if (t.suspendedAt !== null) return 'suspended';
  return 'active';
}

/** The first day (YYYY-MM-DD) of the 7-day window ending today: the range of `usesLast7Days`. */
export function weekAgo(nowIso: string): string {
  return new Date(Date.parse(nowIso) - 6 * 86_400_000).toISOString().slice(0, 10);
}

export type TokenDomainsDecision =
  | { ok: true; origins: string[] }
  | {
      ok: false;
      code: 'validation_failed' | 'domains_required' | OriginErrorCode;
      message: string;
      index?: number;
    };

/**
 * Rule 11: a public token needs at least one allowed origin (normalised); a private token works from
 * anywhere and takes none.
 */
export function decideTokenDomains(
  type: TokenType,
  domains: readonly string[] | undefined,
): TokenDomainsDecision {
  if (type === 'private') {
    if (domains && domains.length > 0) {
      return {
        ok: false,
        code: 'validation_failed',
        message:
          'Private tokens work from anywhere and take no domains; use a public token to restrict origins.',
      };
    }
    return { ok: true, origins: [] };
  }
  if (!domains || domains.length === 0) {
    return {
      ok: false,
      code: 'domains_required',
      message: 'A public token needs at least one allowed domain (origin), e.g. https://shop.example.com.',
    };
  }
  const check = normalizeAllowlist(domains);
  return check.ok
    ? { ok: true, origins: check.origins }
    : { ok: false, code: check.code, message: check.message, index: check.index };
}
