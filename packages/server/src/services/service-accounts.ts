import { checkRateLimits, type RateLimitRule } from '../domain/token-limits.js';
import { AppError, notFound } from '../domain/errors.js';
import { newId } from '../domain/ids.js';
import { checkServiceAccountName } from '../domain/service-account-name.js';
import type { ServiceAccountView } from '../store/queries/service-accounts.js';
import type { Store } from '../store/store.js';
import { tokenRevoked, type EventRecorder } from './events.js';
import { inTransaction, iso, onConflict, type OrgScope, type ServiceDeps } from './context.js';
import { assertNoEscalation } from './guards.js';
import type { roleService } from './roles.js';
import { serviceAccountView } from './views.js';

export function serviceAccountService(deps: ServiceDeps, roles: ReturnType<typeof roleService>) {
  const { store, clock } = deps;

  function validName(name: string) {
    const check = checkServiceAccountName(name);
    if (!check.ok) throw new AppError('invalid_service_account_name', check.message);
    return check;
  }
  const nameTaken = (name: string) =>
    new AppError('name_taken', `A service account named "${name}" already exists in this org.`);

  async function load(tx: Store, scope: OrgScope, idOrName: string): Promise<ServiceAccountView> {
    const sa = await tx.serviceAccounts.findInOrg(scope.org.id, idOrName);
    if (!sa) throw notFound('Service account');
    return sa;
  }

  return {
    list: (scope: OrgScope) => store.serviceAccounts.listByOrg(scope.org.id),
    get: (scope: OrgScope, idOrName: string) => load(store, scope, idOrName),

    /** Rule 1 (name), role defaulting to the org's Viewer (only for callers who hold Viewer's grants). */
    async create(
      scope: OrgScope,
      input: {
        name: string;
        roleId?: string;
        description?: string;
        rateLimits?: RateLimitRule[];
        contactEmail?: string | null;
      },
      outer?: Store,
    ): Promise<ServiceAccountView> {
      const { name, key } = validName(input.name);
      const run = async (tx: Store, events: EventRecorder) => {
        // The default role passes the same escalation check as a chosen one: a caller holding less
        // than Viewer cannot mint an account that holds more than they do.
        const roleId = input.roleId ?? (await tx.roles.findBuiltin(scope.org.id, 'Viewer'))?.id;
        if (!roleId) throw notFound('Role');
        const role = await roles.assignable(
          tx,
          scope,
          roleId,
          input.roleId
            ? 'give a service account this role'
            : 'give a service account the default Viewer role: choose a role you hold (roleId)',
        );
        const at = iso(clock.now());
        const id = newId('serviceAccount');
        await onConflict(
          tx.serviceAccounts.insert({
            id,
            orgId: scope.org.id,
            name,
            nameKey: key,
            description: input.description ?? null,
            roleId: role.id,
            rateLimits: JSON.stringify(checkRateLimits(input.rateLimits ?? [])),
            contactEmail: input.contactEmail ?? null,
            disabledAt: null,
            deletedAt: null,
            createdAt: at,
            updatedAt: at,
          }),
          () => nameTaken(name),
        );
        const sa = (await tx.serviceAccounts.findInOrg(scope.org.id, id))!;
        await events.record(scope, at, {
          type: 'service_account.created',
          serviceAccount: serviceAccountView(sa),
        });
        return sa;
      };
      return inTransaction(deps, run, outer);
    },

    /** Rename, describe, change role, disable/enable (rule 3) — one audit entry for the change. */
    async update(
      scope: OrgScope,
      idOrName: string,
      patch: {
        name?: string;
        description?: string | null;
        roleId?: string;
        rateLimits?: RateLimitRule[];
        contactEmail?: string | null;
        disabled?: boolean;
      },
    ): Promise<ServiceAccountView> {
      return inTransaction(deps, async (tx, events) => {
        const before = await load(tx, scope, idOrName);
        const currentRole = await tx.roles.findInOrg(scope.org.id, before.roleId);
        assertNoEscalation(scope, currentRole?.permissions ?? [], 'change this service account');
        const at = iso(clock.now());
        const set: Parameters<Store['serviceAccounts']['update']>[1] = { updatedAt: at };
        if (patch.name !== undefined) {
          const { name, key } = validName(patch.name);
          set.name = name;
          set.nameKey = key;
        }
        if (patch.description !== undefined) set.description = patch.description;
        // Its tokens' cached entries are dropped by the event below (invalidationsOf: service_account).
        if (patch.rateLimits !== undefined)
          set.rateLimits = JSON.stringify(checkRateLimits(patch.rateLimits));
        if (patch.contactEmail !== undefined) set.contactEmail = patch.contactEmail;
        if (patch.roleId !== undefined)
          set.roleId = (
            await roles.assignable(tx, scope, patch.roleId, 'give a service account this role')
          ).id;
        if (patch.disabled !== undefined) set.disabledAt = patch.disabled ? (before.disabledAt ?? at) : null;
        await onConflict(tx.serviceAccounts.update(before.id, set), () => nameTaken(set.name ?? before.name));
        const after = (await tx.serviceAccounts.findInOrg(scope.org.id, before.id))!;
        const type =
          patch.disabled === true && before.disabledAt === null
            ? 'service_account.disabled'
            : patch.disabled === false && before.disabledAt !== null
              ? 'service_account.enabled'
              : 'service_account.updated';
        await events.record(scope, at, {
          type,
          before: serviceAccountView(before),
          after: serviceAccountView(after),
        });
        return after;
      });
    },

    /**
     * Rule 4: refuses while the account owns active tokens, unless `revokeTokens` is set, in which case
     * those tokens are revoked in the same transaction. A deleted account is kept (soft-deleted) so the
     * revoked tokens and the audit trail still name their owner.
     */
    async delete(
      scope: OrgScope,
      idOrName: string,
      opts: { revokeTokens: boolean },
    ): Promise<{ revokedTokens: string[] }> {
      return inTransaction(deps, async (tx, events) => {
        const found = await load(tx, scope, idOrName);
        await tx.serviceAccounts.lockForUpdate(found.id);
        const before = await load(tx, scope, found.id); // re-read under the lock
        const currentRole = await tx.roles.findInOrg(scope.org.id, before.roleId);
        assertNoEscalation(scope, currentRole?.permissions ?? [], 'delete this service account');
        const owned = await tx.tokens.activeOwnedBy(scope.org.id, { serviceAccountId: before.id });
        if (owned.length > 0 && !opts.revokeTokens) {
          throw new AppError(
            'service_account_has_tokens',
            `"${before.name}" still owns ${owned.length} active token(s). Reassign or revoke them first, or delete with revokeTokens=true.`,
            { tokens: owned.map((t) => ({ id: t.id, name: t.name, type: t.type, hint: t.hint })) },
          );
        }
        const at = iso(clock.now());
        for (const t of owned) {
          await tx.tokens.update(t.id, { revokedAt: at, updatedAt: at });
          await events.record(scope, at, tokenRevoked(t, at, 'service_account_deleted'));
        }
        await tx.serviceAccounts.update(before.id, { deletedAt: at, updatedAt: at });
        await events.record(scope, at, {
          type: 'service_account.deleted',
          serviceAccount: serviceAccountView(before),
          revokedTokens: owned.map((t) => t.id),
        });
        return { revokedTokens: owned.map((t) => t.id) };
      });
    },
  };
}
