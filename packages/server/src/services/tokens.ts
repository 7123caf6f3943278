import { AppError, notFound } from '../domain/errors.js';
import { expand } from '../domain/permissions.js';
import { generateToken, hashToken, type TokenType } from '../domain/token-format.js';
import {
  balanceAfterChange,
  checkQuota,
  checkRateLimits,
  type QuotaRule,
  type RateLimitRule,
} from '../domain/token-limits.js';
import { weekAgo } from '../domain/token-rules.js';
import { balanceNow } from '../store/queries/quotas.js';
import type { TokenListFilter, TokenRecord, TokenStatus } from '../store/queries/tokens.js';
import type { Store } from '../store/store.js';
import { inTransaction, iso, type OrgScope, type ServiceDeps } from './context.js';
import { tokenChange, tokenRevoked } from './events.js';
import { assertNoEscalation, assertNotReplacedValue } from './guards.js';
import {
  assertTokenNameFree,
  checkPermissionList,
  checkTokenDomains,
  checkTokenIps,
  checkTokenLifetime,
} from './token-checks.js';
import { buildToken, secretOf } from './token-draft.js';
import { ownerRoleOf, ownerRoles, tokenOwnerAccount } from './token-owners.js';
import { tokenReassignment, type ReassignPermissions } from './token-reassign.js';
import { tokenToChange } from './token-to-change.js';
import { tokenSnapshot, tokenViews } from './token-view.js';

export type { ReassignPermissions } from './token-reassign.js';

export interface TokenInput {
  name: string;
  serviceAccountId?: string;
  type: TokenType;
  domains?: string[];
  allowedIps?: string[];
  enforcement?: 'enforce' | 'report_only';
  rateLimits?: RateLimitRule[];
  quota?: QuotaRule | null;
  permissions?: string[] | null;
  expiresAt?: string | null;
}

/**
 * The token use cases: issue, read, change, revoke, reassign. The rules live in domain/token-rules.ts and
 * domain/token-policy.ts, the caller's checks in token-checks.ts, the record in token-draft.ts and the
 * answer in token-view.ts; this file is the order in which a use case applies them.
 */
/** A quota set, changed or removed: what was spent stays spent (domain/token-limits.ts balanceAfterChange). */
async function changeQuota(tx: Store, before: TokenRecord, quota: QuotaRule | null, now: Date) {
  if (quota === null) return tx.quotas.remove(before.id);
  const balance = (await tx.quotas.balances([before.id])).get(before.id);
  const remaining =
    before.quota && balance
      ? balanceAfterChange(
          { limit: before.quota.limit, remaining: balanceNow(before.quota, balance, now.getTime()) },
          quota,
        )
      : quota.limit;
  await tx.quotas.set(before.id, remaining, iso(now));
}

export function tokenService(deps: ServiceDeps, reassignment = tokenReassignment(deps)) {
  const { store, clock, config } = deps;
  const { view, effective } = tokenViews(config.catalog);
  const canSeeValues = (scope: OrgScope) => expand(scope.permissions).includes('tokens:edit');

  return {
    /** Rules 5, 7, 8, 11, 12, 15: returns the stored token and its full value, shown this once. */
    async create(scope: OrgScope, input: TokenInput, outer?: Store) {
      return inTransaction(
        deps,
        async (tx, events) => {
          const { sa, rolePermissions } = await tokenOwnerAccount(tx, scope, input.serviceAccountId);
          await assertTokenNameFree(
            tx,
            scope.org.id,
            { ownerServiceAccountId: sa.id, ownerUserId: null },
            input.name,
            clock.now(),
          );
          const domains = checkTokenDomains(input.type, input.domains);
          const allowedIps = checkTokenIps(input.allowedIps);
          const permissions = checkPermissionList(config.catalog, scope, input.permissions);
          const now = clock.now();
          const expiresAt = await checkTokenLifetime(
            tx,
            scope,
            { kind: 'create', expiresAt: input.expiresAt },
            now,
          );
          assertNoEscalation(
            scope,
            effective(rolePermissions, { permissions, type: input.type }),
            'create this token',
          );
          const value = generateToken(input.type, config.tokenPrefix);
          const at = iso(now);
          const token = buildToken(
            {
              orgId: scope.org.id,
              name: input.name,
              type: input.type,
              owner: { serviceAccountId: sa.id },
              domains,
              allowedIps,
              enforcement: input.enforcement ?? 'enforce',
              rateLimits: checkRateLimits(input.rateLimits ?? []),
              quota: checkQuota(input.quota ?? null),
              permissions,
              expiresAt,
              createdBy: scope.actor,
              at,
            },
            secretOf(value, input.type, config.tokenPrefix),
          );
          await tx.tokens.insert(token);
          if (token.quota) await tx.quotas.set(token.id, token.quota.limit, at);
          await events.record(scope, at, {
            type: 'token.created',
            hash: token.hash,
            token: tokenSnapshot(token),
          });
          const stored = (await tx.tokens.findInOrg(scope.org.id, token.id))!;
          return {
            token: view(stored, {
              ownerRole: rolePermissions,
              now: at,
              showPublicValue: true,
              quota: (await tx.quotas.balances([token.id])).get(token.id),
            }),
            value,
          };
        },
        outer,
      );
    },

    async list(scope: OrgScope, filter: Omit<TokenListFilter, 'now'> & { status: TokenStatus }) {
      const now = iso(clock.now());
      const rows = await store.tokens.list(scope.org.id, { ...filter, now, limit: filter.limit + 1 });
      const { limit: _limit, after: _after, sort: _sort, ...matching } = filter;
      const total = await store.tokens.count(scope.org.id, { ...matching, now });
      const roleOf = await ownerRoles(store, scope.org.id);
      const page = rows.slice(0, filter.limit);
      const showPublicValue = canSeeValues(scope);
      const ids = page.map((t) => t.id);
      const uses = await store.usage.totalsSince(ids, weekAgo(now));
      const previous = await store.tokenSecrets.pendingOf(ids);
      const quotas = await store.quotas.balances(ids);
      return {
        items: page.map((t) =>
          view(t, {
            ownerRole: roleOf(t),
            now,
            showPublicValue,
            usesLast7Days: uses.get(t.id) ?? 0,
            previous: previous.get(t.id),
            quota: quotas.get(t.id),
          }),
        ),
        total,
        next:
          rows.length > filter.limit
            ? {
                key: store.tokens.sortKeyOf(page[page.length - 1]!, filter.sort),
                id: page[page.length - 1]!.id,
              }
            : null,
      };
    },

    /** One token as the API shows it, read through `tx` (after a change in it) or the store. */
    async get(scope: OrgScope, id: string) {
      const t = await store.tokens.findInOrg(scope.org.id, id);
      if (!t) throw notFound('Token');
      const now = iso(clock.now());
      const uses = await store.usage.totalsSince([t.id], weekAgo(now));
      return {
        ...view(t, {
          ownerRole: await ownerRoleOf(store, scope.org.id, t),
          now,
          showPublicValue: canSeeValues(scope),
          usesLast7Days: uses.get(t.id) ?? 0,
          previous: (await store.tokenSecrets.pendingOf([t.id])).get(t.id),
          quota: (await store.quotas.balances([t.id])).get(t.id),
        }),
        dailyUsage: await store.usage.daily(t.id, weekAgo(now)),
        reportOnlyLast7Days: await store.usage.warningsSince(t.id, weekAgo(now)),
      };
    },

    /**
     * The token of this org whose value (or a value a rotation replaced) is `value`, or null: "whose is
     * this leaked value?". Values are stored only as hashes, so this is a lookup by hash; the caller
     * charges it to the probe budget first (http/probe-budget.ts). Another org's token is null too.
     */
    async findByValue(scope: OrgScope, value: string) {
      const id = await store.tokens.idOfValueInOrg(scope.org.id, hashToken(value));
      return id === undefined ? null : this.get(scope, id);
    },

    /**
     * Name, domains (public only), permissions, expiry. A revoked token cannot be changed; the expiry
     * follows the org's policy; the caller must hold what the token grants before and after.
     */
    async update(
      scope: OrgScope,
      id: string,
      patch: Pick<
        TokenInput,
        'domains' | 'allowedIps' | 'enforcement' | 'rateLimits' | 'quota' | 'permissions' | 'expiresAt'
      > & {
        name?: string;
      },
      outer?: Store,
    ) {
      return inTransaction(
        deps,
        async (tx, events) => {
          const before = await tokenToChange(tx, scope, id);
          const now = clock.now();
          const expiresAt = await checkTokenLifetime(
            tx,
            scope,
            { kind: 'update', before, expiresAt: patch.expiresAt },
            now,
          );
          const ownerRole = await ownerRoleOf(tx, scope.org.id, before);
          assertNoEscalation(scope, effective(ownerRole, before), 'change this token');
          const set: Parameters<Store['tokens']['update']>[1] = {};
          if (patch.name !== undefined && patch.name !== before.name) {
            await assertTokenNameFree(tx, scope.org.id, before, patch.name, now, before.id);
            set.name = patch.name;
          }
          if (patch.domains !== undefined) set.domains = checkTokenDomains(before.type, patch.domains);
          if (patch.allowedIps !== undefined) set.allowedIps = checkTokenIps(patch.allowedIps);
          if (patch.enforcement !== undefined) set.enforcement = patch.enforcement;
          if (patch.rateLimits !== undefined) set.rateLimits = checkRateLimits(patch.rateLimits);
          if (patch.quota !== undefined) set.quota = checkQuota(patch.quota);
          if (patch.permissions !== undefined)
            set.permissions = checkPermissionList(config.catalog, scope, patch.permissions);
          if (patch.expiresAt !== undefined) set.expiresAt = expiresAt;
          assertNoEscalation(scope, effective(ownerRole, { ...before, ...set }), 'change this token');
          const at = iso(now);
          set.updatedAt = at;
          await tx.tokens.update(id, set);
          if (set.quota !== undefined) await changeQuota(tx, before, set.quota, now);
          const after = (await tx.tokens.findInOrg(scope.org.id, id))!;
          await events.record(scope, at, { type: 'token.updated', ...tokenChange(before, after) });
          const previous = (await tx.tokenSecrets.pendingOf([id])).get(id);
          const quota = (await tx.quotas.balances([id])).get(id);
          return view(after, { ownerRole, now: at, showPublicValue: canSeeValues(scope), previous, quota });
        },
        outer,
      );
    },

    /**
     * What `update` would check before a change, for a batch row that turns out to need none (bulk
     * use_https): live, not by its own replaced value, and only for a caller who holds what it grants.
     */
    async assertChangeable(scope: OrgScope, t: TokenRecord, tx: Store) {
      assertNotReplacedValue(scope, t.id);
      if (t.revokedAt) throw new AppError('token_revoked', 'A revoked token cannot be changed.');
      assertNoEscalation(scope, effective(await ownerRoleOf(tx, scope.org.id, t), t), 'change this token');
    },

    /** Rule 14: stops authenticating at once; kept for the audit trail; hidden from the default list. */
    async revoke(scope: OrgScope, id: string, outer?: Store) {
      return inTransaction(
        deps,
        async (tx, events) => {
          const before = await tokenToChange(tx, scope, id);
          if (before.revokedAt) return; // idempotent: already revoked
          // Revoking is a change like any other: only by someone who holds what the token grants.
          assertNoEscalation(
            scope,
            effective(await ownerRoleOf(tx, scope.org.id, before), before),
            'revoke this token',
          );
          const at = iso(clock.now());
          await tx.tokens.update(id, { revokedAt: at, updatedAt: at });
          await events.record(scope, at, tokenRevoked(before, at, 'revoked'));
        },
        outer,
      );
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
      outer?: Store,
    ) {
      const moved = await reassignment.one(scope, id, serviceAccountId, mode, outer);
      return {
        ...view(moved.after, {
          ownerRole: moved.rolePermissions,
          now: moved.at,
          showPublicValue: canSeeValues(scope),
        }),
        effectivePermissionsBefore: moved.effectiveBefore,
      };
    },
  };
}
