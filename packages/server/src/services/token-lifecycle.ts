import { AppError } from '../domain/errors.js';
import { generateToken } from '../domain/token-format.js';
import {
  DEFAULT_FIRST_USE_OVERLAP_SECONDS,
  MAX_OVERLAP_SECONDS,
  retireAtAllowed,
} from '../domain/token-rotation.js';
import type { TokenRecord } from '../store/queries/tokens.js';
import type { Store } from '../store/store.js';
import { inTransaction, iso, type OrgScope, type ServiceDeps } from './context.js';
import { tokenChange, type EventRecorder } from './events.js';
import { assertNoEscalation } from './guards.js';
import { checkTokenLifetime } from './token-checks.js';
import { secretOf } from './token-draft.js';
import { ownerRoleOf } from './token-owners.js';
import { tokenToChange } from './token-to-change.js';
import { tokenSnapshot, tokenViews } from './token-view.js';

/** When the value a rotation replaces stops verifying (docs/lifecycle.md). */
export type RetireMode = 'now' | 'at' | 'on_first_use';

export interface RotateInput {
  retire: RetireMode;
  /** With retire=at: when. */
  at?: string;
  /** With retire=on_first_use: the latest it retires if the new value is never used (default one day). */
  overlapSeconds?: number;
}

/** What a leak report says: where the value was found, a note, and a secret scanner's source. */
export interface LeakReport {
  where: string | null;
  note: string | null;
  /** Where on the scanner it was found (GitHub: `commit`, `content`, …); null for a member's report. */
  source: string | null;
}

/**
 * Records a leak of `before` (its row locked in `tx`): revoked at once if it was not, marked compromised
 * (the first report's time, where and note), a previous secret that still
 * verifies retired with it, and a `token.leak_reported` event in the token's own org. The one path for
 * a member's report-leak and a secret scanner's report (services/secret-scanning.ts), whose scope
 * differs only in its actor.
 */
export async function recordLeak(
  tx: Store,
  events: EventRecorder,
  scope: OrgScope,
  before: TokenRecord,
  report: LeakReport,
  at: string,
): Promise<TokenRecord> {
  await tx.tokens.update(before.id, {
    revokedAt: before.revokedAt ?? at,
    compromisedAt: before.compromisedAt ?? at,
    // A second report of the same token keeps the first one's details (the audit log has every report).
    leakWhere: before.compromisedAt === null ? report.where : before.leakWhere,
    leakNote: before.compromisedAt === null ? report.note : before.leakNote,
    updatedAt: at,
  });
  // Its previous secret, if one still verifies, goes with it.
  await tx.tokenSecrets.retireAllOf(before.id, at);
  const after = (await tx.tokens.findById(before.id))!;
  await events.record(scope, at, { type: 'token.leak_reported', ...tokenChange(before, after), ...report });
  return after;
}

/**
 * A token's life after it is issued: rotation (a new secret, same token), suspension and a leak report.
 * Revocation (tokens.ts) stays final; these never undo it.
 */
export function tokenLifecycle(deps: ServiceDeps) {
  const { clock, config } = deps;
  const { effective } = tokenViews(config.catalog);

  /** The token, locked, live (not revoked), and only for a caller who holds what it grants. */
  async function liveToken(tx: Store, scope: OrgScope, id: string, what: string): Promise<TokenRecord> {
    const t = await tokenToChange(tx, scope, id, { locked: true });
    if (t.revokedAt) throw new AppError('token_revoked', `A revoked token cannot be ${what}.`);
    // Self-service (a private token rotating itself) is by definition within what it holds.
    if (!(scope.actor.type === 'token' && scope.actor.id === t.id))
      assertNoEscalation(scope, effective(await ownerRoleOf(tx, scope.org.id, t), t), `change this token`);
    return t;
  }

  /** When the replaced secret retires, from the request; refusals are 400 validation_failed. */
  function retirement(
    input: RotateInput,
    now: Date,
  ): { retiresAt: string; onFirstUse: boolean; retiredNow: boolean } {
    const nowMs = now.getTime();
    if (input.retire !== 'on_first_use' && input.overlapSeconds !== undefined)
      throw new AppError('validation_failed', 'overlapSeconds goes with retire=on_first_use only.');
    if (input.retire !== 'at' && input.at !== undefined)
      throw new AppError('validation_failed', 'at goes with retire=at only.');
    switch (input.retire) {
      case 'now':
        return { retiresAt: iso(now), onFirstUse: false, retiredNow: true };
      case 'at': {
        const at = input.at === undefined ? NaN : Date.parse(input.at);
        if (!retireAtAllowed(at, nowMs))
          throw new AppError(
            'validation_failed',
            `retire=at needs "at": a time in the future, at most ${MAX_OVERLAP_SECONDS / 86_400} days from now.`,
          );
        return { retiresAt: new Date(at).toISOString(), onFirstUse: false, retiredNow: false };
      }
      case 'on_first_use': {
        const seconds = input.overlapSeconds ?? DEFAULT_FIRST_USE_OVERLAP_SECONDS;
        return { retiresAt: iso(new Date(nowMs + seconds * 1000)), onFirstUse: true, retiredNow: false };
      }
    }
  }

  return {
    /**
     * A new secret for the same token (id, owner, name, type, domains, permissions, usage history kept);
     * the value it replaces keeps verifying until it retires. A token has at most one previous secret:
     * rotating again retires the one before at once. Returns the new value, shown this once.
     */
    async rotate(scope: OrgScope, id: string, input: RotateInput, outer?: Store) {
      return inTransaction(
        deps,
        async (tx, events) => {
          const before = await liveToken(tx, scope, id, 'rotated');
          // A person's (legacy) token carries that person's identity to the platform: a new value of it is
          // theirs alone to take. Anyone else reassigns it to a service account first (docs/migration.md).
          if (before.ownerUserId !== null && scope.actor.userId !== before.ownerUserId)
            throw new AppError(
              'forbidden',
              'This token is owned by a person: only they can rotate it. Reassign it to a service account first.',
            );
          const now = clock.now();
          const at = iso(now);
          const when = retirement(input, now);
          const expiresAt = await checkTokenLifetime(tx, scope, { kind: 'rotate', before }, now);
          await tx.tokenSecrets.retireAllOf(before.id, at);
          await tx.tokenSecrets.insert({
            hash: before.hash,
            tokenId: before.id,
            hint: before.hint,
            rotatedAt: at,
            retiresAt: when.retiresAt,
            retireOnFirstUse: when.onFirstUse ? 1 : 0,
            retiredAt: when.retiredNow ? at : null,
          });
          const value = generateToken(before.type, config.tokenPrefix);
          const secret = secretOf(value, before.type, config.tokenPrefix);
          await tx.tokens.update(before.id, { ...secret, expiresAt, rotatedAt: at, updatedAt: at });
          const after = (await tx.tokens.findInOrg(scope.org.id, before.id))!;
          await events.record(scope, at, {
            type: 'token.rotated',
            hash: before.hash,
            newHash: secret.hash,
            token: tokenSnapshot(after),
            retire: input.retire,
            previousRetiresAt: when.retiredNow ? null : when.retiresAt,
          });
          return { value, tokenId: after.id };
        },
        outer,
      );
    },

    /** The id of the private token acting, for `tokens/self/rotate`; refuses anyone else. */
    selfTokenId(scope: OrgScope): string {
      if (scope.actor.type !== 'token' || scope.actor.id === null)
        throw new AppError(
          'forbidden',
          'Only a private token can rotate itself: send it as the Bearer token.',
        );
      return scope.actor.id;
    },

    /**
     * The new value's first successful verification retires the value it replaced (retire=on_first_use),
     * on every instance: an invalidation like a revocation. Idempotent: the first report wins.
     */
    async retireOnFirstUse(tokenId: string, previousHash: string): Promise<void> {
      await inTransaction(deps, async (tx, events) => {
        const at = iso(clock.now());
        if (!(await tx.tokenSecrets.retireOnFirstUse(previousHash, at))) return;
        const token = await tx.tokens.findById(tokenId);
        const org = token && (await tx.orgs.findById(token.orgId));
        if (!token || !org) return;
        const actor = {
          type: 'system' as const,
          id: null,
          label: 'first use of the new value',
          userId: null,
          ip: null,
        };
        await events.record({ org, actor, permissions: [] }, at, {
          type: 'token.secret_retired',
          hash: previousHash,
          token: tokenSnapshot(token),
          reason: 'first_use',
        });
      });
    },

    /** Refused with token_suspended until resumed; nothing else changes. Idempotent. */
    async suspend(scope: OrgScope, id: string) {
      return setSuspended(scope, id, true);
    },
    async resume(scope: OrgScope, id: string) {
      return setSuspended(scope, id, false);
    },

    /**
     * A leaked value: the token is revoked at once and marked compromised, with where it was found and a
     * note. The answer's replacement is issued by the caller (rotate is not possible on a revoked token:
     * create a new one with the same settings, `replacement` in the route's answer).
     */
    async reportLeak(scope: OrgScope, id: string, report: { where?: string; note?: string }) {
      return inTransaction(deps, async (tx, events) => {
        const before = await tokenToChange(tx, scope, id, { locked: true });
        if (!(scope.actor.type === 'token' && scope.actor.id === before.id))
          assertNoEscalation(
            scope,
            effective(await ownerRoleOf(tx, scope.org.id, before), before),
            'report this token',
          );
        return recordLeak(
          tx,
          events,
          scope,
          before,
          { where: report.where ?? null, note: report.note ?? null, source: null },
          iso(clock.now()),
        );
      });
    },
  };

  async function setSuspended(scope: OrgScope, id: string, suspended: boolean) {
    return inTransaction(deps, async (tx, events) => {
      const before = await liveToken(tx, scope, id, suspended ? 'suspended' : 'resumed');
      if ((before.suspendedAt !== null) === suspended) return before.id;
      const at = iso(clock.now());
      await tx.tokens.update(before.id, { suspendedAt: suspended ? at : null, updatedAt: at });
      const after = (await tx.tokens.findInOrg(scope.org.id, before.id))!;
      await events.record(scope, at, {
        type: suspended ? 'token.suspended' : 'token.resumed',
        ...tokenChange(before, after),
      });
      return before.id;
    });
  }
}
