import { AppError, notFound } from '../domain/errors.js';
import { newId } from '../domain/ids.js';
import { normalizeAllowlist } from '@latchkey/protocol';
import { effectiveTokenPermissions, expand, unknownPermissions } from '../domain/permissions.js';
import { generateToken, hashToken, tokenHint, type TokenType } from '../domain/token-format.js';
import { decideTokenLifetime, type TokenChange } from '../domain/token-policy.js';
import type { TokenListFilter, TokenRecord, TokenStatus, TokenView } from '../store/queries/tokens.js';
import type { Store } from '../store/store.js';
import { writeAudit } from './audit.js';
import { inTransaction, iso, type OrgScope, type ServiceDeps } from './context.js';
import { assertNoEscalation } from './guards.js';
import type { Static } from 'typebox';
// Types only (the answer's schema is the contract); no runtime import from http/.
import type * as Schemas from '../http/schemas.js';

/**
 * What a reassigned token may do: 'keep' pins it to at most what it could do before the move;
 * 'owner_role' (asked for explicitly, and only by a caller holding that role) gives it the new
 * owner's whole role.
 */
export type ReassignPermissions = 'keep' | 'owner_role';

export interface TokenInput {
  name: string;
  serviceAccountId?: string;
  type: TokenType;
  domains?: string[];
  permissions?: string[] | null;
  expiresAt?: string | null;
}

/** The first day (YYYY-MM-DD) of the 7-day window ending today. */
export function weekAgo(nowIso: string): string {
  return new Date(Date.parse(nowIso) - 6 * 86_400_000).toISOString().slice(0, 10);
}

export function tokenStatus(
  t: Pick<TokenRecord, 'revokedAt' | 'expiresAt'>,
  now: string,
): 'active' | 'revoked' | 'expired' {
  if (t.revokedAt !== null) return 'revoked';
  if (t.expiresAt !== null && t.expiresAt <= now) return 'expired';
  return 'active';
}

/** Looks up the role grants of every possible owner in an org once, for views of many tokens. */
async function ownerGrants(tx: Store, orgId: string) {
  const roles = new Map((await tx.roles.listByOrg(orgId)).map((r) => [r.id, r.permissions]));
  const bySa = new Map(
    (await tx.serviceAccounts.listByOrg(orgId)).map((s) => [s.id, roles.get(s.roleId) ?? []]),
  );
  const byUser = new Map(
    (await tx.members.listByOrg(orgId)).map((m) => [m.userId, roles.get(m.roleId) ?? []]),
  );
  return (t: Pick<TokenRecord, 'ownerServiceAccountId' | 'ownerUserId'>): string[] =>
    (t.ownerServiceAccountId ? bySa.get(t.ownerServiceAccountId) : byUser.get(t.ownerUserId ?? '')) ?? [];
}

/** Audit form of a token: never its value or hash. */
export const tokenAuditView = (t: TokenRecord) => ({
  id: t.id,
  name: t.name,
  type: t.type,
  hint: t.hint,
  ownerServiceAccountId: t.ownerServiceAccountId,
  ownerUserId: t.ownerUserId,
  domains: t.domains,
  permissions: t.permissions,
  expiresAt: t.expiresAt,
  revokedAt: t.revokedAt,
});

export function tokenService(deps: ServiceDeps) {
  const { store, clock, config } = deps;

  function view(
    t: TokenView,
    grants: (t: TokenRecord) => string[],
    now: string,
    showPublicValue: boolean,
    usesLast7Days = 0,
  ): Static<typeof Schemas.Token> {
    return {
      id: t.id,
      name: t.name,
      type: t.type,
      hint: t.hint,
      /** Rule 11: public values are published in web pages anyway; admins may see them again. */
      value: t.type === 'public' && showPublicValue ? t.publicValue : null,
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
      status: tokenStatus(t, now),
      domains: t.domains,
      permissions: t.permissions,
      effectivePermissions: effectiveTokenPermissions({
        ownerRole: grants(t),
        tokenPermissions: t.permissions,
        type: t.type,
        catalog: config.catalog,
      }),
      expiresAt: t.expiresAt,
      revokedAt: t.revokedAt,
      createdAt: t.createdAt,
      updatedAt: t.updatedAt,
      lastUsedAt: t.lastUsedAt,
      lastUsedOrigin: t.lastUsedOrigin,
      usesLast7Days,
    };
  }
  const canSeeValues = (scope: OrgScope) => expand(scope.permissions).includes('tokens:edit');

  function checkDomains(type: TokenType, domains: string[] | undefined): string[] {
    if (type === 'private') {
      if (domains && domains.length > 0) {
        throw new AppError(
          'validation_failed',
          'Private tokens work from anywhere and take no domains; use a public token to restrict origins.',
        );
      }
      return [];
    }
    if (!domains || domains.length === 0) {
      throw new AppError(
        'domains_required',
        'A public token needs at least one allowed domain (origin), e.g. https://shop.example.com.',
      );
    }
    const check = normalizeAllowlist(domains);
    if (!check.ok) throw new AppError(check.code, check.message, { index: check.index });
    return check.origins;
  }

  /**
   * A token's own permission list, expanded. The caller must hold every permission in it, not only the
   * effective ones: the list is narrowed by the owner's role today, but it would become live the day that
   * role is widened — a grant the caller never held.
   */
  function checkPermissionList(scope: OrgScope, list: string[] | null | undefined): string[] | null {
    if (list === undefined || list === null) return null;
    const unknown = unknownPermissions(config.catalog, list);
    if (unknown.length > 0)
      throw new AppError('invalid_permission', `Unknown permission(s): ${unknown.join(', ')}.`, { unknown });
    const expanded = expand(list);
    assertNoEscalation(scope, expanded, 'give a token permissions');
    return expanded;
  }

  /** The org's token policy (domain/token-policy.ts) applied to one change; throws its refusal. */
  async function lifetime(
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

  const effective = (ownerRole: readonly string[], t: Pick<TokenRecord, 'permissions' | 'type'>) =>
    effectiveTokenPermissions({
      ownerRole,
      tokenPermissions: t.permissions,
      type: t.type,
      catalog: config.catalog,
    });

  /** The role grants of one token's current owner ([] when the owner can no longer act). */
  async function ownerRoleOf(
    tx: Store,
    orgId: string,
    t: Pick<TokenRecord, 'ownerServiceAccountId' | 'ownerUserId'>,
  ): Promise<string[]> {
    const roleId = t.ownerServiceAccountId
      ? (await tx.serviceAccounts.findInOrg(orgId, t.ownerServiceAccountId))?.roleId
      : (await tx.members.find(orgId, t.ownerUserId ?? ''))?.roleId;
    return (roleId && (await tx.roles.findInOrg(orgId, roleId))?.permissions) || [];
  }

  /**
   * Moves one token to a service account (rule 13) without ever silently widening it: by default
   * ('keep') its permission list is pinned to what it could do before the move, narrowed by the new
   * owner's role; 'owner_role' gives it all of the new owner's role, which the caller must hold. The
   * caller must also hold what the token could do before (nobody touches what grants more than they hold).
   */
  async function moveToken(
    tx: Store,
    scope: OrgScope,
    before: TokenRecord,
    oldRole: readonly string[],
    target: { sa: { id: string }; rolePermissions: string[] },
    mode: ReassignPermissions,
    now: Date,
  ) {
    const effectiveBefore = effective(oldRole, before);
    assertNoEscalation(scope, effectiveBefore, 'reassign this token');
    const newRole = new Set(expand(target.rolePermissions));
    const permissions = mode === 'owner_role' ? null : effectiveBefore.filter((p) => newRole.has(p));
    const effectiveAfter = effective(target.rolePermissions, { permissions, type: before.type });
    assertNoEscalation(scope, effectiveAfter, 'reassign this token to that service account');
    const expiresAt = await lifetime(tx, scope, { kind: 'reassign', before }, now);
    const at = iso(now);
    await tx.tokens.update(before.id, {
      ownerServiceAccountId: target.sa.id,
      ownerUserId: null,
      permissions,
      expiresAt,
      updatedAt: at,
    });
    const after = (await tx.tokens.findInOrg(scope.org.id, before.id))!;
    await writeAudit(tx, scope, at, {
      action: 'token.reassign',
      targetType: 'token',
      targetId: before.id,
      before: { ...tokenAuditView(before), effectivePermissions: effectiveBefore },
      after: { ...tokenAuditView(after), effectivePermissions: effectiveAfter, permissionsMode: mode },
    });
    return { after, effectiveBefore, effectiveAfter };
  }

  /** A live service account of this org that may own tokens; throws the rule-5/13 refusals. */
  async function ownerAccount(tx: Store, scope: OrgScope, serviceAccountId: string | undefined) {
    if (!serviceAccountId) {
      throw new AppError(
        'service_account_required',
        'A token must belong to a service account: choose one (serviceAccountId).',
      );
    }
    // Lock first, then read: a concurrent delete either finished (we see it deleted) or waits for us.
    const candidate = await tx.serviceAccounts.findInOrg(scope.org.id, serviceAccountId);
    if (candidate) await tx.serviceAccounts.lockForUpdate(candidate.id);
    const sa = candidate && (await tx.serviceAccounts.findInOrg(scope.org.id, candidate.id));
    if (!sa) {
      // A user id here is the "assign to a person" mistake the rules forbid: say so plainly.
      if (serviceAccountId.startsWith('usr_')) {
        throw new AppError(
          'service_account_required',
          'Tokens can only be assigned to a service account, never to a user.',
        );
      }
      throw notFound('Service account');
    }
    if (sa.disabledAt !== null)
      throw new AppError(
        'service_account_disabled',
        `Service account "${sa.name}" is disabled; enable it first.`,
      );
    const role = await tx.roles.findInOrg(scope.org.id, sa.roleId);
    return { sa, rolePermissions: role?.permissions ?? [] };
  }

  return {
    view,
    canSeeValues,

    /** Rules 5, 7, 8, 11, 12, 15: returns the stored token and its full value, shown this once. */
    async create(scope: OrgScope, input: TokenInput, outer?: Store) {
      return inTransaction(
        deps,
        async (tx, invalidate) => {
          const { sa, rolePermissions } = await ownerAccount(tx, scope, input.serviceAccountId);
          const domains = checkDomains(input.type, input.domains);
          const permissions = checkPermissionList(scope, input.permissions);
          const now = clock.now();
          const expiresAt = await lifetime(tx, scope, { kind: 'create', expiresAt: input.expiresAt }, now);
          const effective = effectiveTokenPermissions({
            ownerRole: rolePermissions,
            tokenPermissions: permissions,
            type: input.type,
            catalog: config.catalog,
          });
          assertNoEscalation(scope, effective, 'create this token');
          const value = generateToken(input.type, config.tokenPrefix);
          const at = iso(now);
          const token: TokenRecord = {
            id: newId('token'),
            orgId: scope.org.id,
            name: input.name,
            type: input.type,
            hash: hashToken(value),
            hint: tokenHint(value, input.type, config.tokenPrefix),
            publicValue: input.type === 'public' ? value : null,
            ownerServiceAccountId: sa.id,
            ownerUserId: null,
            permissions,
            domains,
            expiresAt,
            revokedAt: null,
            importedAt: null,
            createdByType: scope.actor.type,
            createdById: scope.actor.id,
            createdAt: at,
            updatedAt: at,
            lastUsedAt: null,
            lastUsedOrigin: null,
          };
          await tx.tokens.insert(token);
          // Not to drop anything: every instance's presence filter learns the new hash from it.
          invalidate({ kind: 'token', tokenId: token.id, hash: token.hash });
          await writeAudit(tx, scope, at, {
            action: 'token.create',
            targetType: 'token',
            targetId: token.id,
            after: tokenAuditView(token),
          });
          const stored = (await tx.tokens.findInOrg(scope.org.id, token.id))!;
          return { token: view(stored, () => rolePermissions, at, true), value };
        },
        outer,
      );
    },

    async list(scope: OrgScope, filter: Omit<TokenListFilter, 'now'> & { status: TokenStatus }) {
      const now = iso(clock.now());
      const rows = await store.tokens.list(scope.org.id, { ...filter, now, limit: filter.limit + 1 });
      const grants = await ownerGrants(store, scope.org.id);
      const page = rows.slice(0, filter.limit);
      const show = canSeeValues(scope);
      const uses = await store.usage.totalsSince(
        page.map((t) => t.id),
        weekAgo(now),
      );
      return {
        items: page.map((t) => view(t, grants, now, show, uses.get(t.id) ?? 0)),
        next:
          rows.length > filter.limit
            ? { createdAt: page[page.length - 1]!.createdAt, id: page[page.length - 1]!.id }
            : null,
      };
    },

    async get(scope: OrgScope, id: string) {
      const t = await store.tokens.findInOrg(scope.org.id, id);
      if (!t) throw notFound('Token');
      const now = iso(clock.now());
      const uses = await store.usage.totalsSince([t.id], weekAgo(now));
      return {
        ...view(t, await ownerGrants(store, scope.org.id), now, canSeeValues(scope), uses.get(t.id) ?? 0),
        dailyUsage: await store.usage.daily(t.id, weekAgo(now)),
      };
    },

    /**
     * Name, domains (public only), permissions, expiry. A revoked token cannot be changed; the expiry
     * follows the org's policy; the caller must hold what the token grants before and after.
     */
    async update(
      scope: OrgScope,
      id: string,
      patch: { name?: string; domains?: string[]; permissions?: string[] | null; expiresAt?: string | null },
    ) {
      return inTransaction(deps, async (tx, invalidate) => {
        const before = await tx.tokens.findInOrg(scope.org.id, id);
        if (!before) throw notFound('Token');
        const now = clock.now();
        const expiresAt = await lifetime(
          tx,
          scope,
          { kind: 'update', before, expiresAt: patch.expiresAt },
          now,
        );
        const ownerRole = await ownerRoleOf(tx, scope.org.id, before);
        assertNoEscalation(scope, effective(ownerRole, before), 'change this token');
        const set: Parameters<Store['tokens']['update']>[1] = {};
        if (patch.name !== undefined) set.name = patch.name;
        if (patch.domains !== undefined) set.domains = checkDomains(before.type, patch.domains);
        if (patch.permissions !== undefined) set.permissions = checkPermissionList(scope, patch.permissions);
        if (patch.expiresAt !== undefined) set.expiresAt = expiresAt;
        const merged = { ...before, ...set };
        assertNoEscalation(scope, effective(ownerRole, merged), 'change this token');
        const at = iso(now);
        set.updatedAt = at;
        await tx.tokens.update(id, set);
        const after = (await tx.tokens.findInOrg(scope.org.id, id))!;
        await writeAudit(tx, scope, at, {
          action: 'token.update',
          targetType: 'token',
          targetId: id,
          before: tokenAuditView(before),
          after: tokenAuditView(after),
        });
        invalidate({ kind: 'token', tokenId: id, hash: before.hash });
        return view(after, () => ownerRole, at, canSeeValues(scope));
      });
    },

    /** Rule 14: stops authenticating at once; kept for the audit trail; hidden from the default list. */
    async revoke(scope: OrgScope, id: string) {
      return inTransaction(deps, async (tx, invalidate) => {
        const before = await tx.tokens.findInOrg(scope.org.id, id);
        if (!before) throw notFound('Token');
        if (before.revokedAt) return; // idempotent: already revoked
        // Revoking is a change like any other: only by someone who holds what the token grants.
        assertNoEscalation(
          scope,
          effective(await ownerRoleOf(tx, scope.org.id, before), before),
          'revoke this token',
        );
        const at = iso(clock.now());
        await tx.tokens.update(id, { revokedAt: at, updatedAt: at });
        await writeAudit(tx, scope, at, {
          action: 'token.revoke',
          targetType: 'token',
          targetId: id,
          before: tokenAuditView(before),
          after: tokenAuditView({ ...before, revokedAt: at }),
        });
        invalidate({ kind: 'token', tokenId: id, hash: before.hash });
      });
    },

    /**
     * Moves every active token a member owns to one service account, in one transaction (legacy
     * migration), each as `reassign` does: pinned unless `mode` is 'owner_role'.
     */
    async reassignAllFromUser(
      scope: OrgScope,
      userId: string,
      serviceAccountId: string | undefined,
      mode: ReassignPermissions = 'keep',
    ) {
      return inTransaction(deps, async (tx, invalidate) => {
        await tx.members.lockForUpdate(scope.org.id, userId);
        const member = await tx.members.find(scope.org.id, userId);
        if (!member) throw notFound('Member');
        const target = await ownerAccount(tx, scope, serviceAccountId);
        const memberRole = (await tx.roles.findInOrg(scope.org.id, member.roleId))?.permissions ?? [];
        const owned = await tx.tokens.activeOwnedBy(scope.org.id, { userId });
        const now = clock.now();
        const tokens = [];
        for (const before of owned) {
          const moved = await moveToken(tx, scope, before, memberRole, target, mode, now);
          invalidate({ kind: 'token', tokenId: before.id, hash: before.hash });
          tokens.push({
            id: before.id,
            effectivePermissionsBefore: moved.effectiveBefore,
            effectivePermissionsAfter: moved.effectiveAfter,
            expiresAt: moved.after.expiresAt,
          });
        }
        return { serviceAccountId: target.sa.id, reassigned: owned.map((t) => t.id), tokens };
      });
    },

    /**
     * Rule 13: only to a live service account of the same org; the value (and hash) stay the same.
     * The answer shows what the token could do before the move next to what it can do now.
     */
    async reassign(
      scope: OrgScope,
      id: string,
      serviceAccountId: string | undefined,
      mode: ReassignPermissions = 'keep',
    ) {
      return inTransaction(deps, async (tx, invalidate) => {
        const before = await tx.tokens.findInOrg(scope.org.id, id);
        if (!before) throw notFound('Token');
        if (before.revokedAt) throw new AppError('token_revoked', 'A revoked token cannot be reassigned.');
        const target = await ownerAccount(tx, scope, serviceAccountId);
        const oldRole = await ownerRoleOf(tx, scope.org.id, before);
        const now = clock.now();
        const { after, effectiveBefore } = await moveToken(tx, scope, before, oldRole, target, mode, now);
        invalidate({ kind: 'token', tokenId: id, hash: before.hash });
        return {
          ...view(after, () => target.rolePermissions, iso(now), canSeeValues(scope)),
          effectivePermissionsBefore: effectiveBefore,
        };
      });
    },
  };
}
