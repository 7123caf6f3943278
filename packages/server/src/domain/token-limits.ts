import { AppError } from './errors.js';

/**
 * A token's limits (issue 15): named rate-limit windows and a quota of credits. Rules only — the counting
 * is verify/rate-limits.ts (windows) and store/queries/quotas.ts (credits); docs/verification.md says
 * how they answer.
 */

/** One named window: at most `limit` successful verifications per `windowSeconds`, e.g. 50/second. */
export interface RateLimitRule {
  name: string;
  limit: number;
  windowSeconds: number;
}

export type RefillInterval = 'day' | 'month';

/** Credits: each successful verification spends its cost; `refill` adds `amount` each UTC day or month, up to `limit`. */
export interface QuotaRule {
  limit: number;
  refill: { interval: RefillInterval; amount: number } | null;
}

/** Windows one token may have (a second, a minute, an hour, a day… and a few more). */
export const MAX_RATE_LIMITS = 10;
/**
 * The longest window, a week: a window's count lives that long in the store (and a timer in memory must
 * stay under 2^31 ms). Monthly allowances are what quotas are for.
 */
export const MAX_WINDOW_SECONDS = 7 * 86_400;

/** The windows as given, or a validation error naming the entry (names must differ: answers name the window). */
export function checkRateLimits(rules: readonly RateLimitRule[]): RateLimitRule[] {
  if (rules.length > MAX_RATE_LIMITS)
    throw new AppError('validation_failed', `A token may have at most ${MAX_RATE_LIMITS} rate limits.`);
  const seen = new Set<string>();
  return rules.map((r, index) => {
    if (seen.has(r.name))
      throw new AppError('validation_failed', `Rate limit names must differ; "${r.name}" is used twice.`, {
        index,
      });
    seen.add(r.name);
    return { name: r.name, limit: r.limit, windowSeconds: r.windowSeconds };
  });
}

/** A quota as given; a refill larger than the limit would only ever fill to the limit, so it is refused as a typo. */
export function checkQuota(quota: QuotaRule | null): QuotaRule | null {
  if (quota === null) return null;
  if (quota.refill && quota.refill.amount > quota.limit)
    throw new AppError(
      'validation_failed',
      `A refill of ${quota.refill.amount} is more than the quota's limit of ${quota.limit}; a refill fills up to the limit.`,
    );
  return { limit: quota.limit, refill: quota.refill ? { ...quota.refill } : null };
}

/** The start of the UTC day or month after the one `ms` is in. */
export function nextRefillAt(interval: RefillInterval, ms: number): number {
  const d = new Date(ms);
  return interval === 'day'
    ? Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1)
    : Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
}

/** How many refills fell due between the last one (`fromMs`) and `nowMs`: the UTC day/month starts crossed. */
export function refillsDue(interval: RefillInterval, fromMs: number, nowMs: number): number {
  if (nowMs < fromMs) return 0;
  const a = new Date(fromMs);
  const b = new Date(nowMs);
  if (interval === 'month')
    return (b.getUTCFullYear() - a.getUTCFullYear()) * 12 + (b.getUTCMonth() - a.getUTCMonth());
  const dayA = Date.UTC(a.getUTCFullYear(), a.getUTCMonth(), a.getUTCDate());
  const dayB = Date.UTC(b.getUTCFullYear(), b.getUTCMonth(), b.getUTCDate());
  return Math.round((dayB - dayA) / 86_400_000);
}

/**
 * The stored balance after a change of the rule: what was spent stays spent (raising the limit from 1,000
 * to 2,000 with 10 left leaves 1,010). Lowering the limit below what was spent leaves a negative balance —
 * shown as 0, and nothing can be spent from it — so that lowering then raising it again gives nothing back
 * (3 spent of 3, lowered to 1, raised to 3: still 0 left). A new quota starts full.
 */
export function balanceAfterChange(
  before: { limit: number; remaining: number } | null,
  after: QuotaRule,
): number {
  if (before === null) return after.limit;
  return after.limit - (before.limit - before.remaining);
}
