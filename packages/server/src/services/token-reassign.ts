import { AppError, notFound } from '../domain/errors.js';
import { expand } from '../domain/permissions.js';
import type { TokenRecord } from '../store/queries/tokens.js';
import type { Store } from '../store/store.js';
import { inTransaction, iso, type OrgScope, type ServiceDeps } from './context.js';
import type { EventRecorder } from './events.js';
import { assertNoEscalation, assertNotReplacedValue } from './guards.js';
import { checkTokenLifetime } from './token-checks.js';
import { ownerRoleOf, tokenOwnerAccount } from './token-owners.js';
import { tokenToChange } from './token-to-change.js';
import { tokenSnapshot, tokenViews } from './token-view.js';

/**
 * What a reassigned token may do: 'keep' pins it to at most what it could do before the move;
 * 'owner_role' (asked for explicitly, and only by a caller holding that role) gives it the new
 * owner's whole role.
 */
export type ReassignPermissions = 'keep' | 'owner_role';

/**
 * Moving tokens to a service account (rule 13): one token (the tokens service), or every token a
 * member owns (the members service, the legacy migration). The value and hash stay the same.
 */
export function tokenReassignment(deps: ServiceDeps) {
  const { clock, config } = deps;
  const { effective } = tokenViews(config.catalog);

  /**
   * Moves one token without ever silently widening it: by default ('keep') its permission list is pinned
   * to what it could do before the move, narrowed by the new owner's role; 'owner_role' gives it all of
   * the new owner's role, which the caller must hold. The caller must also hold what the token could do
   * before (nobody touches what grants more than they hold).
   */
  async function moveToken(
    tx: Store,
    events: EventRecorder,
    scope: OrgScope,
    before: TokenRecord,
    oldRole: readonly string[],
    target: { sa: { id: string }; rolePermissions: string[] },
    mode: ReassignPermissions,
    now: Date,
  ) {
    assertNotReplacedValue(scope, before.id);
    const effectiveBefore = effective(oldRole, before);
    assertNoEscalation(scope, effectiveBefore, 'reassign this token');
    const newRole = new Set(expand(target.rolePermissions));
    const permissions = mode === 'owner_role' ? null : effectiveBefore.filter((p) => newRole.has(p));
    const effectiveAfter = effective(target.rolePermissions, { permissions, type: before.type });
    assertNoEscalation(scope, effectiveAfter, 'reassign this token to that service account');
    const expiresAt = await checkTokenLifetime(tx, scope, { kind: 'reassign', before }, now);
    const at = iso(now);
    await tx.tokens.update(before.id, {
      ownerServiceAccountId: target.sa.id,
      ownerUserId: null,
      permissions,
      expiresAt,
      updatedAt: at,
    });
    const after = (await tx.tokens.findInOrg(scope.org.id, before.id))!;
    await events.record(scope, at, {
      type: 'token.reassigned',
      hash: before.hash,
      before: { ...tokenSnapshot(before), effectivePermissions: effectiveBefore },
      after: { ...tokenSnapshot(after), effectivePermissions: effectiveAfter, permissionsMode: mode },
    });
    return { after, effectiveBefore, effectiveAfter };
  }

  return {
    /** One token; the answer's view is built by the caller from `after`. */
    async one(
      scope: OrgScope,
      id: string,
      serviceAccountId: string | undefined,
      mode: ReassignPermissions,
      outer?: Store,
    ) {
      return inTransaction(
        deps,
        async (tx, events) => {
          const before = await tokenToChange(tx, scope, id);
          if (before.revokedAt) throw new AppError('token_revoked', 'A revoked token cannot be reassigned.');
          const target = await tokenOwnerAccount(tx, scope, serviceAccountId);
          const oldRole = await ownerRoleOf(tx, scope.org.id, before);
          const now = clock.now();
          const moved = await moveToken(tx, events, scope, before, oldRole, target, mode, now);
          return { ...moved, rolePermissions: target.rolePermissions, at: iso(now) };
        },
        outer,
      );
    },

    /**
     * Every active token a member owns, to one service account, in one transaction (legacy migration),
     * each as `one` does: pinned unless `mode` is 'owner_role'.
     */
    async allOfMember(
      scope: OrgScope,
      userId: string,
      serviceAccountId: string | undefined,
      mode: ReassignPermissions,
    ) {
      return inTransaction(deps, async (tx, events) => {
        await tx.members.lockForUpdate(scope.org.id, userId);
        const member = await tx.members.find(scope.org.id, userId);
        if (!member) throw notFound('Member');
        const target = await tokenOwnerAccount(tx, scope, serviceAccountId);
        const memberRole = (await tx.roles.findInOrg(scope.org.id, member.roleId))?.permissions ?? [];
        const owned = await tx.tokens.activeOwnedBy(scope.org.id, { userId });
        const now = clock.now();
        const tokens: {
          id: string;
          effectivePermissionsBefore: string[];
          effectivePermissionsAfter: string[];
          expiresAt: string | null;
        }[] = [];
        // One audit entry for all of them (issue 17 item 1); webhooks and invalidations stay per token.
        await events.asOneEntry(scope, iso(now), 'reassign', async () => {
          for (const before of owned) {
            const moved = await moveToken(tx, events, scope, before, memberRole, target, mode, now);
            tokens.push({
              id: before.id,
              effectivePermissionsBefore: moved.effectiveBefore,
              effectivePermissionsAfter: moved.effectiveAfter,
              expiresAt: moved.after.expiresAt,
            });
          }
        });
        return { serviceAccountId: target.sa.id, reassigned: owned.map((t) => t.id), tokens };
      });
    },
  };
}
