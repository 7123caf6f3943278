import { AppError, notFound } from '../domain/errors.js';
import { newId } from '../domain/ids.js';
import { checkOrgName } from '../domain/org-name.js';
import {
  BUILTIN_ROLES,
  builtinRolePermissions,
  expand,
  grants,
  type Permission,
} from '../domain/permissions.js';
import type { OrgRecord } from '../store/queries/orgs.js';
import type { Store } from '../store/store.js';
import { inTransaction, iso, onConflict, type Actor, type OrgScope, type ServiceDeps } from './context.js';
import { orgView } from './views.js';

export const ORG_SLUG_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/;

/** The org-name rule (one line, no control or text-direction characters), on create and rename. */
function validOrgName(name: string): string {
  const check = checkOrgName(name);
  if (!check.ok) throw new AppError('validation_failed', check.message);
  return check.name;
}

export function orgService(deps: ServiceDeps) {
  const { store, config, clock } = deps;

  return {
    /** Creates an org with its built-in roles and makes `ownerUserId` its Owner — one transaction. */
    async create(
      input: { name: string; slug: string; ownerUserId: string; actor: Actor },
      outer?: Store,
    ): Promise<OrgRecord> {
      const slug = input.slug.toLowerCase();
      if (!ORG_SLUG_PATTERN.test(slug)) {
        throw new AppError(
          'validation_failed',
          'An org slug is 1–40 lower-case letters, digits and "-", not starting or ending with "-".',
        );
      }
      const name = validOrgName(input.name);
      return inTransaction(
        deps,
        async (tx, events) => {
          const at = iso(clock.now());
          const org: OrgRecord = {
            id: newId('org'),
            slug,
            name,
            maxTokenLifetimeDays: null,
            createdAt: at,
            updatedAt: at,
          };
          await onConflict(
            tx.orgs.insert(org),
            () => new AppError('name_taken', `An org with the slug "${slug}" already exists.`),
          );
          let ownerRoleId = '';
          for (const name of BUILTIN_ROLES) {
            const id = newId('role');
            if (name === 'Owner') ownerRoleId = id;
            await tx.roles.insert({
              id,
              orgId: org.id,
              name,
              nameKey: name.toLowerCase(),
              builtin: name,
              description: null,
              permissions: builtinRolePermissions(name, config.catalog),
              createdAt: at,
              updatedAt: at,
              deletedAt: null,
            });
          }
          await tx.members.insert({
            orgId: org.id,
            userId: input.ownerUserId,
            roleId: ownerRoleId,
            createdAt: at,
            updatedAt: at,
          });
          const scope: OrgScope = { org, actor: input.actor, permissions: [] };
          await events.record(scope, at, { type: 'org.created', org: orgView(org) });
          return org;
        },
        outer,
      );
    },

    /** The org by id (a token's own org, known to exist); undefined if it does not exist. */
    get: (id: string): Promise<OrgRecord | undefined> => store.orgs.findById(id),

    /** The orgs a user is a member of, with their role there. */
    listForUser: (userId: string) => store.orgs.listForUser(userId),

    /**
     * Resolves `{org}` (id or slug) for an actor. Returns `undefined` when the org does not exist *or*
     * the actor has no access to it — callers answer 404 either way, so org ids never leak.
     */
    async scopeFor(
      idOrSlug: string,
      actor: Actor,
      tokenScope?: { orgId: string; permissions: readonly Permission[] },
    ): Promise<OrgScope | undefined> {
      const org = await store.orgs.findByIdOrSlug(idOrSlug);
      if (!org) return undefined;
      if (tokenScope) {
        return tokenScope.orgId === org.id ? { org, actor, permissions: tokenScope.permissions } : undefined;
      }
      if (!actor.userId) return undefined;
      const member = await store.members.find(org.id, actor.userId);
      if (!member) return undefined;
      const role = await store.roles.findInOrg(org.id, member.roleId);
      return { org, actor, permissions: expand(role?.permissions ?? []) };
    },

    async updateSettings(
      scope: OrgScope,
      input: { name?: string; maxTokenLifetimeDays?: number | null },
    ): Promise<OrgRecord> {
      const patch = input.name === undefined ? input : { ...input, name: validOrgName(input.name) };
      return inTransaction(deps, async (tx, events) => {
        const before = await tx.orgs.findById(scope.org.id);
        if (!before) throw notFound('Org');
        const at = iso(clock.now());
        await tx.orgs.update(before.id, { ...patch, updatedAt: at });
        const after = { ...before, ...patch, updatedAt: at };
        await events.record(scope, at, {
          type: 'org.updated',
          before: orgView(before),
          after: orgView(after),
        });
        return after;
      });
    },

    can(scope: OrgScope, permission: Permission): boolean {
      return grants(scope.permissions as string[], permission);
    },
  };
}
