import { AppError, notFound } from '../domain/errors.js';
import type { MemberView } from '../store/queries/members.js';
import { inTransaction, iso, type OrgScope, type ServiceDeps } from './context.js';
import { assertNoEscalation } from './guards.js';
import type { roleService } from './roles.js';
import type { tokenReassignment, ReassignPermissions } from './token-reassign.js';
import { memberView } from './views.js';

export function memberService(
  deps: ServiceDeps,
  roles: ReturnType<typeof roleService>,
  reassignment: ReturnType<typeof tokenReassignment>,
) {
  const { store, clock } = deps;

  return {
    list: (scope: OrgScope) => store.members.listByOrg(scope.org.id),

    async get(scope: OrgScope, userId: string): Promise<MemberView> {
      const m = await store.members.find(scope.org.id, userId);
      if (!m) throw notFound('Member');
      return m;
    },

    /**
     * Rule 19: the last Owner cannot be demoted, even by two Owners demoting each other at once (the org
     * lock orders them). Only someone holding a role's grants may hand it out.
     */
    async changeRole(scope: OrgScope, userId: string, roleId: string): Promise<MemberView> {
      return inTransaction(deps, async (tx, events) => {
        // Before reading anything: a concurrent demotion or removal waits, then sees this one's result.
        await tx.orgs.lockForUpdate(scope.org.id);
        const before = await tx.members.find(scope.org.id, userId);
        if (!before) throw notFound('Member');
        const currentRole = await tx.roles.findInOrg(scope.org.id, before.roleId);
        assertNoEscalation(scope, currentRole?.permissions ?? [], "change this member's role");
        const role = await roles.assignable(tx, scope, roleId, 'give this role');
        if (before.roleBuiltin === 'Owner' && role.builtin !== 'Owner') {
          if ((await tx.members.countWithBuiltinRole(scope.org.id, 'Owner')) <= 1) {
            throw new AppError(
              'last_owner',
              'This is the last Owner of the org: make another member Owner first.',
            );
          }
        }
        const at = iso(clock.now());
        await tx.members.setRole(scope.org.id, userId, role.id, at);
        const after = (await tx.members.find(scope.org.id, userId))!;
        await events.record(scope, at, {
          type: 'member.role_changed',
          before: memberView(before),
          after: memberView(after),
        });
        return after;
      });
    },

    /**
     * Rule 18: a member who still owns active tokens cannot be removed; the refusal lists them.
     * Rule 19: nor can the last Owner (also when leaving; the org lock orders concurrent removals).
     * Removal ends their access at once: every request re-checks
     * membership, and their tokens (none remain) could not outlive it.
     */
    async remove(scope: OrgScope, userId: string): Promise<void> {
      await inTransaction(deps, async (tx, events) => {
        // The org first (Owner count, as in changeRole), then the member: under that lock no import or
        // reassignment can give this member a token while we check.
        await tx.orgs.lockForUpdate(scope.org.id);
        await tx.members.lockForUpdate(scope.org.id, userId);
        const before = await tx.members.find(scope.org.id, userId);
        if (!before) throw notFound('Member');
        if (scope.actor.userId !== userId) {
          const currentRole = await tx.roles.findInOrg(scope.org.id, before.roleId);
          assertNoEscalation(scope, currentRole?.permissions ?? [], 'remove this member');
        }
        const owned = await tx.tokens.activeOwnedBy(scope.org.id, { userId });
        if (owned.length > 0) {
          throw new AppError(
            'member_owns_tokens',
            `${before.email} still owns ${owned.length} active token(s). Reassign them to a service account first, then remove the member.`,
            { tokens: owned.map((t) => ({ id: t.id, name: t.name, type: t.type, hint: t.hint })) },
          );
        }
        if (
          before.roleBuiltin === 'Owner' &&
          (await tx.members.countWithBuiltinRole(scope.org.id, 'Owner')) <= 1
        ) {
          throw new AppError('last_owner', 'This is the last Owner of the org and cannot be removed.');
        }
        const at = iso(clock.now());
        await tx.members.delete(scope.org.id, userId);
        // Their sessions go too: a removed member starts over at the sign-in page.
        await tx.sessions.deleteForUser(userId);
        await events.record(scope, at, { type: 'member.removed', member: memberView(before) });
      });
    },

    /**
     * The legacy migration: every active token the member owns moves to one service account, in one
     * transaction, each pinned to what it could do unless `mode` is 'owner_role' (token-reassign.ts).
     */
    reassignTokens: (
      scope: OrgScope,
      userId: string,
      serviceAccountId: string | undefined,
      mode: ReassignPermissions = 'keep',
    ) => reassignment.allOfMember(scope, userId, serviceAccountId, mode),
  };
}
