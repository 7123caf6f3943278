import type { ErrorCode } from './errors.js';

/**
 * The org's token policy, as one pure decision that every path creating or changing a token goes
 * through (create, update, import, reassign, rotate): given the org's settings, the token before,
 * the change asked for and the time, it answers the token's expiry after the change, or why the
 * change is refused. No I/O: the services call it inside their transaction with what they read.
 *
 * The rules (docs/security.md, "Token lifetime policy"):
 * - An org maximum (`maxTokenLifetimeDays`) bounds every token that is issued or re-issued from now
 *   on: created, imported, reassigned or rotated tokens end at most that many days from now.
 * - create: an explicit expiry beyond the maximum is refused (the caller chose it; tell them); none
 *   (absent or null) means the maximum, or never without one.
 * - import: the row's expiry (optional) is capped at the maximum; none means the maximum. The
 *   legacy system chose it, not the caller, and one row must not fail a migration of thousands.
 * - update: changing the expiry of a token that has expired is refused — an expired token stays
 *   expired; issue a new one. Clearing the expiry (null) is refused while the org has a maximum; a
 *   new expiry must lie in the future and within the maximum. Leaving the expiry alone keeps it.
 * - reassign: the expiry is kept, capped at the maximum from now (an expired token stays expired).
 * - rotate: a live token only; the expiry is kept, capped at the maximum, or set as on update.
 * - Nothing changes a revoked token.
 *
 * Refusals: `token_revoked` (any change to a revoked token), `token_expired` (a new expiry for, or a
 * rotation of, an expired token), `invalid_expiry` (an expiry the policy does not allow).
 */

export interface TokenLifetimePolicy {
  /** The org's maximum lifetime in days for tokens issued from now on; null = no maximum. */
  maxLifetimeDays: number | null;
}

/** What the policy needs to know about the token as it is. */
export interface TokenState {
  expiresAt: string | null;
  revokedAt: string | null;
}

/** A change to a token's lifetime; `expiresAt` undefined = not asked for. */
export type TokenChange =
  | { kind: 'create'; expiresAt?: string | null }
  | { kind: 'import'; expiresAt?: string | null }
  | { kind: 'update'; before: TokenState; expiresAt?: string | null }
  | { kind: 'reassign'; before: TokenState }
  | { kind: 'rotate'; before: TokenState; expiresAt?: string | null };

export type TokenPolicyCode = Extract<ErrorCode, 'invalid_expiry' | 'token_revoked' | 'token_expired'>;
export type TokenPolicyDecision =
  { ok: true; expiresAt: string | null } | { ok: false; code: TokenPolicyCode; message: string };

const DAY_MS = 86_400_000;

const VERB: Record<TokenChange['kind'], string> = {
  create: 'created',
  import: 'imported',
  update: 'changed',
  reassign: 'reassigned',
  rotate: 'rotated',
};

/** The expiry a token has after `change` at `now` under `policy`, or why the change is refused. */
export function decideTokenLifetime(
  policy: TokenLifetimePolicy,
  change: TokenChange,
  now: Date,
): TokenPolicyDecision {
  const max = policy.maxLifetimeDays;
  const limit = max === null ? null : new Date(now.getTime() + max * DAY_MS);
  const ok = (at: Date | null): TokenPolicyDecision => ({
    ok: true,
    expiresAt: at === null ? null : at.toISOString(),
  });
  const refuse = (code: TokenPolicyCode, message: string): TokenPolicyDecision => ({
    ok: false,
    code,
    message,
  });
  const beyond = () =>
    refuse(
      'invalid_expiry',
      `This org limits tokens to ${max} day(s): expiresAt must be on or before ${limit!.toISOString()}.`,
    );
  /** Parses an explicit expiry: in the future, or a refusal. */
  const future = (value: string): Date | TokenPolicyDecision => {
    const at = new Date(value);
    if (Number.isNaN(at.getTime()))
      return refuse('invalid_expiry', 'expiresAt must be an ISO-8601 date-time.');
    if (at.getTime() <= now.getTime()) return refuse('invalid_expiry', 'expiresAt must be in the future.');
    return at;
  };
  const capped = (at: Date | null): Date | null =>
    limit === null ? at : at === null || at > limit ? limit : at;
  /** An expiry the caller sets on an existing token: null clears it, which a maximum forbids. */
  const explicit = (value: string | null): TokenPolicyDecision => {
    if (value === null) {
      return limit === null
        ? ok(null)
        : refuse('invalid_expiry', `This org limits tokens to ${max} day(s): the expiry cannot be cleared.`);
    }
    const at = future(value);
    if (!(at instanceof Date)) return at;
    return limit !== null && at > limit ? beyond() : ok(at);
  };

  if (change.kind !== 'create' && change.kind !== 'import' && change.before.revokedAt !== null) {
    return refuse('token_revoked', `A revoked token cannot be ${VERB[change.kind]}.`);
  }
  const expired = (s: TokenState) => s.expiresAt !== null && Date.parse(s.expiresAt) <= now.getTime();

  switch (change.kind) {
    case 'create':
    case 'import': {
      if (change.expiresAt === undefined || change.expiresAt === null) return ok(limit);
      const at = future(change.expiresAt);
      if (!(at instanceof Date)) return at;
      if (change.kind === 'create' && limit !== null && at > limit) return beyond();
      return ok(capped(at));
    }
    case 'update': {
      const { before } = change;
      if (change.expiresAt === undefined)
        return ok(before.expiresAt === null ? null : new Date(before.expiresAt));
      if (expired(before)) {
        return refuse(
          'token_expired',
          'This token has expired and stays expired: create a new token instead of extending it.',
        );
      }
      return explicit(change.expiresAt);
    }
    case 'reassign': {
      const { before } = change;
      const at = before.expiresAt === null ? null : new Date(before.expiresAt);
      return ok(expired(before) ? at : capped(at));
    }
    case 'rotate': {
      const { before } = change;
      if (expired(before))
        return refuse(
          'token_expired',
          'This token has expired and stays expired: create a new token instead.',
        );
      if (change.expiresAt === undefined)
        return ok(capped(before.expiresAt === null ? null : new Date(before.expiresAt)));
      return explicit(change.expiresAt);
    }
  }
}
