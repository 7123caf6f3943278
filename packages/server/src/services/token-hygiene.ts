import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { AppError, notFound } from '../domain/errors.js';
import {
  ACTION_OF,
  HYGIENE_ACTIONS,
  HYGIENE_REASONS,
  hygieneFindings,
  httpsOrigins,
  type HygieneAction,
  type HygieneReason,
} from '../domain/token-hygiene.js';
import type { Store } from '../store/store.js';
import { inTransaction, iso, type OrgScope, type ServiceDeps } from './context.js';
import type { tokenLifecycle, RotateInput } from './token-lifecycle.js';
import type { ReassignPermissions, tokenService } from './tokens.js';

/** One bulk change: the action, the tokens, and what the action needs (checkBulk says which goes where). */
export interface BulkInput {
  action: HygieneAction;
  /** The tokens, by id; or `matching`, never both. */
  ids?: string[];
  /** Every live token the token list's filters match, resolved inside the change's transaction. */
  matching?: {
    owner?: string;
    type?: 'public' | 'private';
    status?: 'active' | 'expired';
    search?: string;
  };
  /** With `matching`: how many tokens the caller saw match; refused when the filters match another number. */
  expectedCount?: number;
  /** set_expiry */
  expiresAt?: string;
  /** reassign */
  serviceAccountId?: string;
  permissions?: ReassignPermissions;
  /** rotate */
  retire?: RotateInput['retire'];
  at?: string;
  overlapSeconds?: number;
}

/** The most tokens one bulk request takes. */
export const BULK_MAX_IDS = 1000;
/** Tokens changed between two yields to the event loop, so verifications are never kept waiting. */
const TOKENS_PER_SLICE = 20;

const FIELDS_OF: Record<HygieneAction, readonly (keyof BulkInput)[]> = {
  revoke: [],
  use_https: [],
  set_expiry: ['expiresAt'],
  reassign: ['serviceAccountId', 'permissions'],
  rotate: ['retire', 'at', 'overlapSeconds'],
};
const REQUIRED_OF: Partial<Record<HygieneAction, keyof BulkInput>> = {
  set_expiry: 'expiresAt',
  rotate: 'retire',
};

/** Which fields go with which action, and each id once; refusals are 400 validation_failed. */
function checkBulk(input: BulkInput): void {
  for (const key of Object.keys(input) as (keyof BulkInput)[]) {
    if (['action', 'ids', 'matching', 'expectedCount'].includes(key) || input[key] === undefined) continue;
    if (!FIELDS_OF[input.action].includes(key)) {
      const owner = HYGIENE_ACTIONS.find((a) => FIELDS_OF[a].includes(key));
      throw new AppError('validation_failed', `${key} goes with action=${owner} only, not ${input.action}.`);
    }
  }
  const required = REQUIRED_OF[input.action];
  if (required !== undefined && input[required] === undefined)
    throw new AppError('validation_failed', `action=${input.action} needs ${required}.`);
  if ((input.ids === undefined) === (input.matching === undefined))
    throw new AppError('validation_failed', 'Give the tokens as ids or as matching filters, one of the two.');
  if (input.expectedCount !== undefined && input.matching === undefined)
    throw new AppError('validation_failed', 'expectedCount goes with matching.');
  const seen = new Set<string>();
  for (const id of input.ids ?? []) {
    if (seen.has(id)) throw new AppError('validation_failed', `ids lists ${id} more than once.`);
    seen.add(id);
  }
}

/**
 * Stale-token hygiene (docs/lifecycle.md): the report of live tokens worth attention, each with the
 * action it suggests, and the bulk action that applies one action to many tokens.
 */
export function tokenHygiene(
  deps: ServiceDeps,
  tokens: ReturnType<typeof tokenService>,
  lifecycle: ReturnType<typeof tokenLifecycle>,
) {
  const { store, clock, config } = deps;

  return {
    /** Every live token (neither revoked nor expired) with at least one finding, newest first. */
    async report(scope: OrgScope, options: { unusedDays?: number }) {
      const now = iso(clock.now());
      const policy = {
        unusedDays: options.unusedDays ?? config.tokenUnusedDays,
        rotateDays: config.tokenRotateDays,
      };
      const counts = Object.fromEntries(HYGIENE_REASONS.map((r) => [r, 0])) as Record<HygieneReason, number>;
      const items = [];
      for (const t of await store.tokens.live(scope.org.id, now)) {
        const reasons = hygieneFindings(t, now, policy);
        if (reasons.length === 0) continue;
        for (const r of reasons) counts[r] += 1;
        items.push({
          id: t.id,
          name: t.name,
          type: t.type,
          hint: t.hint,
          owner: t.ownerServiceAccountId
            ? { type: 'service_account' as const, id: t.ownerServiceAccountId, name: t.ownerName ?? '' }
            : { type: 'user' as const, id: t.ownerUserId ?? '', name: t.ownerName ?? '' },
          suspended: t.suspendedAt !== null,
          domains: t.domains,
          createdAt: t.createdAt,
          lastUsedAt: t.lastUsedAt,
          rotatedAt: t.rotatedAt,
          expiresAt: t.expiresAt,
          findings: reasons.map((reason) => ({ reason, action: ACTION_OF[reason] })),
          action: ACTION_OF[reasons[0]!],
        });
      }
      return { generatedAt: now, ...policy, counts, items };
    },

    /**
     * One action on many tokens, in one transaction: all of them change or none does. Each token goes
     * through the same use case (and checks) as its single-token route; the first refusal names the token
     * and rolls the rest back. A rotation's new values are in the answer, shown this once.
     */
    async bulk(scope: OrgScope, input: BulkInput) {
      checkBulk(input);
      return inTransaction(deps, async (tx, events) => {
        const items: { id: string; token: string | null }[] = [];
        const ids = input.ids ?? (await matchingIds(tx, input.matching!));
        // One audit entry for the whole change, listing each token's before and after (issue 17 item 1).
        await events.asOneEntry(scope, iso(clock.now()), input.action, () => applyAll(tx, ids, items));
        return { action: input.action, items };
      });

      async function applyAll(tx: Store, ids: string[], items: { id: string; token: string | null }[]) {
        for (const [i, id] of ids.entries()) {
          // setImmediate: requests (and cached verifications) run in between; on SQLite those that need
          // the database wait for the commit, as during an import.
          if (i > 0 && i % TOKENS_PER_SLICE === 0) await yieldToLoop();
          try {
            items.push({ id, token: await applyOne(tx, id) });
          } catch (e) {
            if (!(e instanceof AppError)) throw e;
            throw new AppError(e.code, `${id}: ${e.message} Nothing was changed.`, {
              ...(typeof e.details === 'object' && e.details !== null ? e.details : {}),
              id,
            });
          }
        }
      }

      /** What the filters match now, in this transaction: a token created meanwhile is in, or the change waits. */
      async function matchingIds(tx: Store, m: NonNullable<BulkInput['matching']>): Promise<string[]> {
        const filter = {
          ownerServiceAccountId: m.owner?.startsWith('sa_') ? m.owner : undefined,
          ownerUserId: m.owner?.startsWith('usr_') ? m.owner : undefined,
          type: m.type,
          search: m.search,
          status: m.status ?? 'active',
          now: iso(clock.now()),
        };
        const rows = await tx.tokens.list(scope.org.id, { ...filter, limit: BULK_MAX_IDS + 1 });
        if (rows.length > BULK_MAX_IDS) {
          const total = await tx.tokens.count(scope.org.id, filter);
          throw new AppError(
            'validation_failed',
            `${total} tokens match; one bulk change takes at most ${BULK_MAX_IDS}: narrow the filters.`,
          );
        }
        if (input.expectedCount !== undefined && rows.length !== input.expectedCount)
          throw new AppError(
            'validation_failed',
            `The filters match ${rows.length} tokens now, not the ${input.expectedCount} you saw: look again. Nothing was changed.`,
          );
        return rows.map((t) => t.id);
      }

      async function applyOne(tx: Store, id: string): Promise<string | null> {
        switch (input.action) {
          case 'revoke':
            await tokens.revoke(scope, id, tx);
            return null;
          case 'set_expiry':
            await tokens.update(scope, id, { expiresAt: input.expiresAt! }, tx);
            return null;
          case 'use_https': {
            const t = await tx.tokens.findInOrg(scope.org.id, id);
            if (!t) throw notFound('Token');
            const domains = t.type === 'public' ? httpsOrigins(t.domains) : t.domains;
            // Nothing to move is no change, but still only for a caller who may change this token.
            if (domains.join(' ') === t.domains.join(' ')) await tokens.assertChangeable(scope, t, tx);
            else await tokens.update(scope, id, { domains }, tx);
            return null;
          }
          case 'reassign':
            await tokens.reassign(scope, id, input.serviceAccountId, input.permissions ?? 'keep', tx);
            return null;
          case 'rotate': {
            const { retire, at, overlapSeconds } = input;
            return (await lifecycle.rotate(scope, id, { retire: retire!, at, overlapSeconds }, tx)).value;
          }
        }
      }
    },
  };
}
