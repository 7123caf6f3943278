import type { Redis } from 'ioredis';
import { LRUCache } from 'lru-cache';
import {
  RateLimiterCluster,
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
  type RateLimiterAbstract,
} from 'rate-limiter-flexible';
import type { RateLimitRule } from '../domain/token-limits.js';

/**
 * Per-token rate limits at verify time (issue 15), without a round trip on each request's critical path.
 *
 * Windows are fixed and aligned to the clock (window n of a rule covers [n·w, (n+1)·w)), so every instance
 * agrees on when one resets. The count of each token's window lives in a store that rate-limiter-flexible
 * keeps atomic: Redis when REDIS_URL is set (shared by every instance), the cluster primary for the workers
 * of one `serve --workers` without Redis, else this process's memory. An instance does not ask the store
 * for every request: it **leases** a slice of the window (`leaseSize`: a twentieth of the limit, at least
 * one, at most 500) with one atomic increment, spends it locally, and asks for the next slice when a
 * quarter of the current one is left — so a request waits for the store only when its instance holds
 * nothing for the window yet (the first request of a window, or a burst that outran the prefetch).
 *
 * Exactness: the store never grants more than the limit in a window, so instances sharing one store never
 * admit more than the limit between them (no over-admission) while the store answers. What they may do is
 * admit less: slices leased and not spent by the window's end are lost, at most 1.25 slices per instance
 * per window. If the store fails (Redis down, the primary slow to answer), the instance counts alone in
 * its memory until it answers again; each instance then admits up to the limit (docs/verification.md).
 */

export interface RateLimitState {
  name: string;
  limit: number;
  /** What is left in the window: this instance's slice plus what the store had left at its last answer. */
  remaining: number;
  /** When the window ends (ISO 8601, made once per window). */
  resetAt: string;
}

export type RateLimitOutcome = { ok: boolean; state: RateLimitState };

export interface RateLimitsOptions {
  redis?: Redis;
  /** In a `serve --workers` worker without Redis: count in the primary (RateLimiterCluster over IPC). */
  cluster?: boolean;
  now?: () => number;
  /** Tokens whose leases are kept; the least recently used beyond it are dropped (their slices with them). */
  maxTokens?: number;
}

/** How much of a window one instance takes at a time. */
export function leaseSize(limit: number): number {
  return Math.max(1, Math.min(500, Math.ceil(limit / 20)));
}

/** The state an answer reports, as it is now (the lease goes on changing). */
const snapshot = (l: RateLimitState): RateLimitState => ({
  name: l.name,
  limit: l.limit,
  remaining: l.remaining,
  resetAt: l.resetAt,
});

/** One window of one token on this instance. */
interface Lease extends RateLimitState {
  resetAtMs: number;
  windowMs: number;
  window: number;
  /** Leased and not spent yet. */
  units: number;
  /** The store has nothing left this window beyond `units`. */
  exhausted: boolean;
  fetching: Promise<void> | null;
}

const KEY_PREFIX = 'latchkey-token-rl';
/** The store counts with no limit of its own: grants are decided here from the total it returns. */
const UNBOUNDED = Number.MAX_SAFE_INTEGER;
/** Rounds of "lease, then try again" one request may wait for before it is refused. */
const MAX_ROUNDS = 8;

export function createRateLimits(o: RateLimitsOptions = {}) {
  const now = o.now ?? Date.now;
  const memory = new RateLimiterMemory({ keyPrefix: KEY_PREFIX, points: UNBOUNDED, duration: 1 });
  const shared: RateLimiterAbstract | null = o.redis
    ? new RateLimiterRedis({
        storeClient: o.redis,
        keyPrefix: KEY_PREFIX,
        points: UNBOUNDED,
        duration: 1,
        insuranceLimiter: memory,
      })
    : o.cluster
      ? new RateLimiterCluster({ keyPrefix: KEY_PREFIX, points: UNBOUNDED, duration: 1, timeoutMs: 2000 })
      : null;
  // Per token: its leases by window name.
  const tokens = new LRUCache<string, Map<string, Lease>>({ max: o.maxTokens ?? 100_000 });

  function leasesOf(tokenId: string): Map<string, Lease> {
    let leases = tokens.get(tokenId);
    if (!leases) tokens.set(tokenId, (leases = new Map()));
    return leases;
  }

  function leaseOf(leases: Map<string, Lease>, rule: RateLimitRule, t: number): Lease {
    const windowMs = rule.windowSeconds * 1000;
    const window = Math.floor(t / windowMs);
    let lease = leases.get(rule.name);
    if (!lease || lease.window !== window || lease.limit !== rule.limit || lease.windowMs !== windowMs) {
      const resetAtMs = (window + 1) * windowMs;
      lease = {
        name: rule.name,
        limit: rule.limit,
        remaining: rule.limit,
        resetAtMs,
        resetAt: new Date(resetAtMs).toISOString(),
        windowMs,
        window,
        units: 0,
        exhausted: false,
        fetching: null,
      };
      leases.set(rule.name, lease);
    }
    return lease;
  }

  async function consume(key: string, points: number, seconds: number): Promise<number> {
    const options = { customDuration: seconds };
    try {
      return (await (shared ?? memory).consume(key, points, options)).consumedPoints;
    } catch (e) {
      // Only our own UNBOUNDED could refuse, so a refusal is a store error: count here until it answers.
      if (e instanceof RateLimiterRes || shared === null) throw e;
      return (await memory.consume(key, points, options)).consumedPoints;
    }
  }

  /** Asks the store for the next slice of `lease`'s window (one request at a time per lease). */
  function fetch(tokenId: string, rule: RateLimitRule, lease: Lease): Promise<void> {
    if (lease.fetching) return lease.fetching;
    const points = leaseSize(rule.limit);
    const window = lease.window;
    lease.fetching = consume(`${tokenId}:${rule.name}:${window}`, points, rule.windowSeconds + 1).then(
      (total) => {
        lease.fetching = null;
        if (lease.window !== window) return;
        const granted = Math.max(0, Math.min(points, rule.limit - (total - points)));
        lease.units += granted;
        lease.remaining = Math.max(0, rule.limit - total) + lease.units;
        lease.exhausted = total >= rule.limit;
      },
      () => {
        // No store at all answered: refuse this window's slice rather than admit without a count.
        lease.fetching = null;
        lease.exhausted = true;
      },
    );
    return lease.fetching;
  }

  function attempt(
    tokenId: string,
    rules: readonly RateLimitRule[],
    round: number,
  ): RateLimitOutcome | Promise<RateLimitOutcome> {
    const t = now();
    const leases = leasesOf(tokenId);
    let waits: Promise<void>[] | null = null;
    for (const rule of rules) {
      const lease = leaseOf(leases, rule, t);
      if (lease.units > 0) continue;
      if (lease.exhausted || round >= MAX_ROUNDS) {
        lease.remaining = lease.units; // 0: what the store had left is gone too
        return { ok: false, state: snapshot(lease) };
      }
      (waits ??= []).push(fetch(tokenId, rule, lease));
    }
    if (waits !== null) return Promise.all(waits).then(() => attempt(tokenId, rules, round + 1));
    // Every window has a unit: spend one of each (none is spent when any refuses).
    let tightest: Lease | null = null;
    for (const rule of rules) {
      const lease = leaseOf(leases, rule, t);
      lease.units -= 1;
      lease.remaining = Math.max(0, lease.remaining - 1);
      if (!lease.exhausted && lease.fetching === null && lease.units <= leaseSize(rule.limit) / 4)
        void fetch(tokenId, rule, lease);
      if (tightest === null || lease.remaining < tightest.remaining) tightest = lease;
    }
    return { ok: true, state: snapshot(tightest!) };
  }

  return {
    /**
     * One successful verification against every window of a token: allowed only if each has room (the
     * state returned is the tightest window's), else refused by the first full one. Synchronous while this
     * instance holds a slice of each window.
     */
    admit(tokenId: string, rules: readonly RateLimitRule[]): RateLimitOutcome | Promise<RateLimitOutcome> {
      return attempt(tokenId, rules, 0);
    },
  };
}

export type RateLimits = ReturnType<typeof createRateLimits>;
