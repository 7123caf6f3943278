import { AppError, notFound } from '../domain/errors.js';
import { newId } from '../domain/ids.js';
import { BUILTIN_ROLES, builtinRolePermissions, expand, unknownPermissions } from '../domain/permissions.js';
import type { RoleRecord } from '../store/queries/roles.js';
import type { Store } from '../store/store.js';
import { inTransaction, iso, onConflict, type OrgScope, type ServiceDeps } from './context.js';
import { assertNoEscalation } from './guards.js';
import { roleView } from './views.js';

export const ROLE_NAME_PATTERN = /^[\p{L}\p{N}][\p{L}\p{N} _.-]{0,62}[\p{L}\p{N}]?$/u;

export function roleService(deps: ServiceDeps) {
  const { store, config, clock } = deps;

  function checkPermissions(scope: OrgScope, permissions: readonly string[]) {
    const unknown = unknownPermissions(config.catalog, permissions);
    if (unknown.length > 0) {
      throw new AppError(
        'invalid_permission',
        `Unknown permission(s): ${unknown.join(', ')}. Use <resource>:view or <resource>:edit with a resource from the catalog.`,
        { unknown },
      );
    }
    assertNoEscalation(scope, permissions, 'define this role');
  }
  function checkName(name: string) {
    if (!ROLE_NAME_PATTERN.test(name)) {
      throw new AppError(
        'validation_failed',
        'A role name is 1–64 letters, digits, spaces, ".", "_" or "-".',
      );
    }
    if ((BUILTIN_ROLES as readonly string[]).some((b) => b.toLowerCase() === name.toLowerCase())) {
      throw new AppError('name_taken', `"${name}" is a built-in role name.`);
    }
  }
  const nameTaken = (name: string) =>
    new AppError('name_taken', `A role named "${name}" already exists in this org.`);

  return {
    /** Built-in roles follow the configured catalog: re-derive their grants at start-up. */
    async syncBuiltins(): Promise<void> {
      for (const name of BUILTIN_ROLES) {
        await store.roles.updateBuiltin(name, builtinRolePermissions(name, config.catalog));
      }
    },

    list: (scope: OrgScope) => store.roles.listByOrg(scope.org.id),

    async create(
      scope: OrgScope,
      input: { name: string; description?: string; permissions: string[] },
    ): Promise<RoleRecord> {
      checkName(input.name);
      checkPermissions(scope, input.permissions);
      return inTransaction(deps, async (tx, events) => {
        const at = iso(clock.now());
        const role: RoleRecord = {
          id: newId('role'),
          orgId: scope.org.id,
          name: input.name,
          nameKey: input.name.toLowerCase(),
          builtin: null,
          description: input.description ?? null,
          permissions: expand(input.permissions),
          createdAt: at,
          updatedAt: at,
          deletedAt: null,
        };
        await onConflict(tx.roles.insert(role), () => nameTaken(input.name));
        await events.record(scope, at, { type: 'role.created', role: roleView(role) });
        return role;
      });
    },

    async update(
      scope: OrgScope,
      id: string,
      patch: { name?: string; description?: string | null; permissions?: string[] },
    ): Promise<RoleRecord> {
      return inTransaction(deps, async (tx, events) => {
        await tx.roles.lock(id, 'update');
        const before = await tx.roles.findInOrg(scope.org.id, id);
        if (!before) throw notFound('Role');
        if (before.builtin)
          throw new AppError(
            'builtin_role',
            'Built-in roles cannot be changed; create a custom role instead.',
          );
        // Editing a role you could not have created is escalation too (e.g. widening someone else's role).
        assertNoEscalation(scope, before.permissions, 'change this role');
        if (patch.name !== undefined) checkName(patch.name);
        if (patch.permissions !== undefined) checkPermissions(scope, patch.permissions);
        const at = iso(clock.now());
        const after: RoleRecord = {
          ...before,
          ...(patch.name !== undefined ? { name: patch.name, nameKey: patch.name.toLowerCase() } : {}),
          ...(patch.description !== undefined ? { description: patch.description } : {}),
          ...(patch.permissions !== undefined ? { permissions: expand(patch.permissions) } : {}),
          updatedAt: at,
        };
        await onConflict(
          tx.roles.update(id, {
            name: after.name,
            nameKey: after.nameKey,
            description: after.description,
            permissions: after.permissions,
            updatedAt: at,
          }),
          () => nameTaken(after.name),
        );
        await events.record(scope, at, {
          type: 'role.updated',
          before: roleView(before),
          after: roleView(after),
        });
        return after;
      });
    },

    /**
     * Deletes a custom role nobody holds: refused with role_in_use (counts and a few ids) while members,
     * live service accounts or pending invitations hold it. What is only history — accepted, revoked or
     * expired invitations, deleted service accounts, the audit log — keeps naming it: the role stays as
     * a tombstone (hidden, not assignable, its name free for a new role).
     */
    async delete(scope: OrgScope, id: string): Promise<void> {
      await inTransaction(deps, async (tx, events) => {
        // Locked before it is read: nobody can be given the role between the check below and the delete.
        await tx.roles.lock(id, 'update');
        const before = await tx.roles.findInOrg(scope.org.id, id);
        if (!before) throw notFound('Role');
        if (before.builtin) throw new AppError('builtin_role', 'Built-in roles cannot be deleted.');
        assertNoEscalation(scope, before.permissions, 'delete this role');
        const at = iso(clock.now());
        const usage = await tx.roles.usage(id, at);
        if (usage.members.count + usage.serviceAccounts.count + usage.invitations.count > 0) {
          throw new AppError(
            'role_in_use',
            `The role is held by ${usage.members.count} member(s), ${usage.serviceAccounts.count} service account(s) and ` +
              `${usage.invitations.count} pending invitation(s): give them another role (or revoke the invitations) first.`,
            usage,
          );
        }
        await tx.roles.tombstone(id, at);
        await events.record(scope, at, { type: 'role.deleted', role: roleView(before) });
      });
    },

    /** A role of this org that the scope may hand out (used by members, invitations, service accounts). */
    async assignable(tx: Store, scope: OrgScope, roleId: string, what: string): Promise<RoleRecord> {
      // Shared lock: a concurrent delete waits for this change (and then sees who holds the role), or
      // this one waits for the delete and finds the role gone.
      await tx.roles.lock(roleId, 'share');
      const role = await tx.roles.findInOrg(scope.org.id, roleId);
      if (!role) throw notFound('Role');
      assertNoEscalation(scope, role.permissions, what);
      return role;
    },
  };
}
