import type { QuotaInfo, RateLimitInfo } from '@latchkey/protocol';
import { nextRefillAt, type QuotaRule, type RateLimitRule } from '../domain/token-limits.js';
import type { RateLimits, RateLimitState } from './rate-limits.js';

/** What a token's limits say about one verification that passed every other check. */
export type LimitVerdict =
  | { ok: true; rateLimit?: RateLimitInfo; quota?: QuotaInfo }
  | { ok: false; code: 'rate_limited' | 'quota_exhausted'; rateLimit?: RateLimitInfo; quota?: QuotaInfo };

/** Spends credits exactly (store/queries/quotas.ts). */
export type QuotaSpend = (
  tokenId: string,
  rule: QuotaRule,
  cost: number,
  nowMs: number,
) => Promise<{ spent: boolean; remaining: number }>;

/**
 * The rate-limit windows first (local, see rate-limits.ts), then the quota (one conditional write in the
 * database: exact, and the price of a quota is that round trip). A request the windows refuse spends no
 * credit; one the quota refuses has used its place in the windows.
 */
export function createTokenLimits(deps: { rateLimits: RateLimits; spend: QuotaSpend; now?: () => number }) {
  const now = deps.now ?? Date.now;

  async function spendQuota(
    tokenId: string,
    quota: QuotaRule,
    cost: number,
    rateLimit: RateLimitInfo | undefined,
  ): Promise<LimitVerdict> {
    const t = now();
    const r = await deps.spend(tokenId, quota, cost, t);
    const info: QuotaInfo = {
      limit: quota.limit,
      remaining: r.remaining,
      refillAt: quota.refill ? new Date(nextRefillAt(quota.refill.interval, t)).toISOString() : null,
    };
    const extra = rateLimit ? { rateLimit, quota: info } : { quota: info };
    return r.spent ? { ok: true, ...extra } : { ok: false, code: 'quota_exhausted', ...extra };
  }

  function afterWindows(
    tokenId: string,
    quota: QuotaRule | null,
    cost: number,
    ok: boolean,
    state: RateLimitState | null,
  ): LimitVerdict | Promise<LimitVerdict> {
    // The state is the answer's as it is (a snapshot: protocol's RateLimitInfo).
    const rateLimit: RateLimitInfo | undefined = state ?? undefined;
    if (!ok) return { ok: false, code: 'rate_limited', rateLimit };
    if (quota) return spendQuota(tokenId, quota, cost, rateLimit);
    return rateLimit ? { ok: true, rateLimit } : { ok: true };
  }

  return {
    check(
      tokenId: string,
      rules: readonly RateLimitRule[],
      quota: QuotaRule | null,
      cost: number,
    ): LimitVerdict | Promise<LimitVerdict> {
      if (rules.length === 0) return afterWindows(tokenId, quota, cost, true, null);
      const outcome = deps.rateLimits.admit(tokenId, rules);
      if (outcome instanceof Promise)
        return outcome.then((o) => afterWindows(tokenId, quota, cost, o.ok, o.state));
      return afterWindows(tokenId, quota, cost, outcome.ok, outcome.state);
    },
  };
}

export type TokenLimits = ReturnType<typeof createTokenLimits>;
