import { normalizeIpAllowlist } from '../domain/ip-allowlist.js';
import { AppError } from '../domain/errors.js';
import { expand, unknownPermissions, type PermissionCatalog } from '../domain/permissions.js';
import type { TokenType } from '../domain/token-format.js';
import { decideTokenLifetime, type TokenChange } from '../domain/token-policy.js';
import { decideTokenDomains } from '../domain/token-rules.js';
import type { Store } from '../store/store.js';
import type { OrgScope } from './context.js';
import { assertNoEscalation } from './guards.js';

/**
 * What a caller may set on a token, as refusals: the domain rules (domain/token-rules.ts,
 * domain/token-policy.ts) applied to one request, plus "nobody grants what they do not hold".
 */

/** The normalised origins of a token of this type; throws the rule-11 refusal. */
export function checkTokenDomains(type: TokenType, domains: string[] | undefined): string[] {
  const decision = decideTokenDomains(type, domains);
  if (!decision.ok)
    throw new AppError(
      decision.code,
      decision.message,
      decision.index === undefined ? undefined : { index: decision.index },
    );
  return decision.origins;
}

/** A token's IP allowlist, normalised (domain/ip-allowlist.ts); the refusal names the entry. */
export function checkTokenIps(entries: string[] | undefined): string[] {
  if (entries === undefined) return [];
  const decision = normalizeIpAllowlist(entries);
  if (!decision.ok) throw new AppError(decision.code, decision.message, { index: decision.index });
  return decision.ranges;
}

/**
 * A token's own permission list, expanded. The caller must hold every permission in it, not only the
 * effective ones: the list is narrowed by the owner's role today, but it would become live the day that
 * role is widened — a grant the caller never held.
 */
export function checkPermissionList(
  catalog: PermissionCatalog,
  scope: OrgScope,
  list: string[] | null | undefined,
): string[] | null {
  if (list === undefined || list === null) return null;
  const unknown = unknownPermissions(catalog, list);
  if (unknown.length > 0)
    throw new AppError('invalid_permission', `Unknown permission(s): ${unknown.join(', ')}.`, { unknown });
  const expanded = expand(list);
  assertNoEscalation(scope, expanded, 'give a token permissions');
  return expanded;
}

/** The org's token policy (domain/token-policy.ts) applied to one change; throws its refusal. */
export async function checkTokenLifetime(
  tx: Store,
  scope: OrgScope,
  change: TokenChange,
  now: Date,
): Promise<string | null> {
  const org = (await tx.orgs.findById(scope.org.id))!;
  const decision = decideTokenLifetime({ maxLifetimeDays: org.maxTokenLifetimeDays }, change, now);
  if (!decision.ok) throw new AppError(decision.code, decision.message);
  return decision.expiresAt;
}

/**
 * Refuses a second live token (neither revoked nor expired) with the same name for one owner (name_taken):
 * on create, and on a rename.
 * The owner's row is locked first (PostgreSQL), so two concurrent requests cannot both take the name.
 * Imports and reassignments keep the names they bring: a person's 600 legacy tokens are not refused for
 * two called "ci", and the console's search and hints tell those apart.
 */
export async function assertTokenNameFree(
  tx: Store,
  orgId: string,
  owner: { ownerServiceAccountId: string | null; ownerUserId: string | null },
  name: string,
  now: Date,
  exceptId?: string,
): Promise<void> {
  let key: { serviceAccountId: string } | { userId: string };
  if (owner.ownerServiceAccountId) {
    key = { serviceAccountId: owner.ownerServiceAccountId };
    await tx.serviceAccounts.lockForUpdate(key.serviceAccountId);
  } else {
    key = { userId: owner.ownerUserId ?? '' };
    await tx.members.lockForUpdate(orgId, key.userId);
  }
  if (await tx.tokens.liveNamed(orgId, key, name, now.toISOString(), exceptId))
    throw new AppError(
      'name_taken',
      `Its owner already has a live token named "${name}": choose another name (a revoked token's name is free).`,
    );
}
