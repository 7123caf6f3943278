import type { Static } from 'typebox';
import { effectiveTokenPermissions, type PermissionCatalog } from '../domain/permissions.js';
import { tokenStatus } from '../domain/token-rules.js';
import { nextRefillAt } from '../domain/token-limits.js';
import { balanceNow, shownBalance, type QuotaBalance } from '../store/queries/quotas.js';
import type { PreviousSecretRow } from '../store/queries/token-secrets.js';
import type { TokenRecord, TokenView } from '../store/queries/tokens.js';
// Types only (the answer's schema is the contract); no runtime import from http/.
import type * as Schemas from '../http/schemas.js';

/**
 * Where a token works and how much: its origins and addresses, whether it enforces them, its limits and
 * its permissions. A replacement for a leaked token keeps all of them: one that could be used from
 * anywhere, or without limits, would undo them (a new quota starts full).
 */
export const tokenRestrictions = (t: TokenRecord) => ({
  domains: t.domains,
  allowedIps: t.allowedIps,
  enforcement: t.enforcement,
  rateLimits: t.rateLimits,
  quota: t.quota,
  permissions: t.permissions,
});

/** The form of a token in events and the audit log: never its value or hash. */
export const tokenSnapshot = (t: TokenRecord) => ({
  id: t.id,
  name: t.name,
  type: t.type,
  hint: t.hint,
  ownerServiceAccountId: t.ownerServiceAccountId,
  ownerUserId: t.ownerUserId,
  ...tokenRestrictions(t),
  expiresAt: t.expiresAt,
  revokedAt: t.revokedAt,
  suspendedAt: t.suspendedAt,
  compromisedAt: t.compromisedAt,
  exposedAt: t.exposedAt,
  rotatedAt: t.rotatedAt,
});
export type TokenSnapshot = ReturnType<typeof tokenSnapshot>;

/** What rendering one token needs besides the token. */
export interface TokenViewContext {
  /** The role grants of the token's owner ([] when the owner can no longer act). */
  ownerRole: readonly string[];
  now: string;
  /** Rule 11: public values are published in web pages anyway; admins may see them again. */
  showPublicValue: boolean;
  usesLast7Days?: number;
  /** Its previous secret while that still verifies (store tokenSecrets.pendingOf). */
  previous?: PreviousSecretRow;
  /** Its quota balance (store quotas.balances), for a token with a quota. */
  quota?: QuotaBalance;
}

/** A quota as the API shows it: the rule, the credits left now and when the next refill comes. */
function quotaView(t: TokenRecord, balance: QuotaBalance | undefined, now: string) {
  if (!t.quota) return null;
  const nowMs = Date.parse(now);
  return {
    limit: t.quota.limit,
    refill: t.quota.refill,
    remaining: balance ? shownBalance(balanceNow(t.quota, balance, nowMs)) : t.quota.limit,
    refillAt: t.quota.refill ? new Date(nextRefillAt(t.quota.refill.interval, nowMs)).toISOString() : null,
  };
}

/** Renders tokens as the API answers them, with the one effective-permission rule. */
export function tokenViews(catalog: PermissionCatalog) {
  /** What a token can do: its own list narrowed by its owner's role (and its type). */
  const effective = (ownerRole: readonly string[], t: Pick<TokenRecord, 'permissions' | 'type'>) =>
    effectiveTokenPermissions({ ownerRole, tokenPermissions: t.permissions, type: t.type, catalog });

  const view = (t: TokenView, c: TokenViewContext): Static<typeof Schemas.Token> => ({
    id: t.id,
    name: t.name,
    type: t.type,
    hint: t.hint,
    value: t.type === 'public' && c.showPublicValue ? t.publicValue : null,
    owner: t.ownerServiceAccountId
      ? {
          type: 'service_account' as const,
          id: t.ownerServiceAccountId,
          name: t.ownerName ?? '',
          email: null,
          deleted: t.ownerDeleted,
        }
      : {
          type: 'user' as const,
          id: t.ownerUserId ?? '',
          name: t.ownerName ?? '',
          email: t.ownerEmail,
          deleted: false,
        },
    legacy: t.ownerUserId !== null,
    imported: t.importedAt !== null,
    status: tokenStatus(t, c.now),
    domains: t.domains,
    allowedIps: t.allowedIps,
    enforcement: t.enforcement,
    rateLimits: t.rateLimits,
    effectiveRateLimits: t.rateLimits.length > 0 ? t.rateLimits : t.ownerRateLimits,
    quota: quotaView(t, c.quota, c.now),
    permissions: t.permissions,
    effectivePermissions: effective(c.ownerRole, t),
    expiresAt: t.expiresAt,
    revokedAt: t.revokedAt,
    createdAt: t.createdAt,
    updatedAt: t.updatedAt,
    lastUsedAt: t.lastUsedAt,
    lastUsedOrigin: t.lastUsedOrigin,
    usesLast7Days: c.usesLast7Days ?? 0,
    suspendedAt: t.suspendedAt,
    compromised:
      t.compromisedAt === null ? null : { at: t.compromisedAt, where: t.leakWhere, note: t.leakNote },
    exposed: t.exposedAt === null ? null : { at: t.exposedAt, url: t.exposedUrl, source: t.exposedSource },
    rotatedAt: t.rotatedAt,
    previousSecret:
      c.previous === undefined || (c.previous.retiresAt !== null && c.previous.retiresAt <= c.now)
        ? null
        : {
            hint: c.previous.hint,
            rotatedAt: c.previous.rotatedAt,
            // It cannot outlive the token: shown as ending with it.
            retiresAt:
              t.expiresAt !== null && (c.previous.retiresAt === null || t.expiresAt < c.previous.retiresAt)
                ? t.expiresAt
                : c.previous.retiresAt,
            retiresOnFirstUse: c.previous.retireOnFirstUse === 1,
          },
  });

  return { view, effective };
}
