import type { Redis } from 'ioredis';

export interface FailureLimiterOptions {
  /** token_invalid answers allowed per client address per window before it is limited. */
  limit: number;
  windowMs: number;
  /**
   * Most addresses counted at once. A flood spread over more addresses than this cannot grow memory:
   * the address counted longest ago is forgotten (it could then fail `limit` times more; the negative
   * cache still stops any repeated value from reaching the database).
   */
  maxAddresses?: number;
  /** Shared counts across instances (REDIS_URL); local counts only without it. */
  redis?: Redis;
  now?: () => number;
  /** Redis key prefix, so several limiters can share one Redis. */
  keyPrefix?: string;
}

export const DEFAULT_MAX_ADDRESSES = 100_000;

/** Sets key → value, forgetting the oldest entry first when the map is full (a Map iterates in insertion order). */
function setBounded<V>(map: Map<string, V>, key: string, value: V, max: number): void {
  if (!map.has(key) && map.size >= max) map.delete(map.keys().next().value as string);
  map.set(key, value);
}

/**
 * Limits clients that keep presenting invalid tokens (a flood of garbage or guessed values) without
 * slowing anyone's valid traffic: a limited address is only refused for tokens the cache does not
 * already know, so its valid, cached tokens keep working at full speed and nothing it sends reaches the
 * database. The hot-path check is a local Map lookup; counting happens only on failures (and, with
 * Redis, asynchronously: the shared count comes back and marks the address limited on every instance
 * that sees it fail). Memory is bounded: at most `maxAddresses` counts and limited addresses, and
 * limits that ran out are dropped when the window rolls over.
 */
export function createFailureLimiter(o: FailureLimiterOptions) {
  const now = o.now ?? Date.now;
  const max = o.maxAddresses ?? DEFAULT_MAX_ADDRESSES;
  let windowStart = now();
  let counts = new Map<string, number>();
  const limited = new Map<string, number>(); // address → limited until (ms)
  // Database lookups in flight per address: counted with its failures, so a burst of concurrent
  // requests cannot all pass the check before the first of them has failed.
  const inflight = new Map<string, number>();

  function roll(t: number) {
    if (t - windowStart < o.windowMs) return;
    windowStart = t;
    counts = new Map();
    for (const [address, until] of limited) if (until <= t) limited.delete(address);
  }

  function isLimited(address: string): boolean {
    if (limited.size === 0) return false;
    const until = limited.get(address);
    if (until === undefined) return false;
    if (until > now()) return true;
    limited.delete(address);
    return false;
  }

  return {
    isLimited,
    /**
     * May this address's request reach the database now? Only while its failures plus its lookups in
     * flight stay within the limit — so an address gets at most `limit + 1` failed lookups a window
     * however many requests it has open. Every true must be followed by lookupDone.
     */
    admitLookup(address: string): boolean {
      if (isLimited(address)) return false;
      roll(now());
      const pending = inflight.get(address) ?? 0;
      if ((counts.get(address) ?? 0) + pending > o.limit) return false;
      inflight.set(address, pending + 1);
      return true;
    },
    lookupDone(address: string): void {
      const pending = (inflight.get(address) ?? 1) - 1;
      if (pending > 0) inflight.set(address, pending);
      else inflight.delete(address);
    },
    recordFailure(address: string): void {
      const t = now();
      roll(t);
      const n = (counts.get(address) ?? 0) + 1;
      setBounded(counts, address, n, max);
      if (n > o.limit) setBounded(limited, address, windowStart + o.windowMs, max);
      if (o.redis) {
        const key = `${o.keyPrefix ?? 'latchkey:verify-failures'}:${Math.floor(t / o.windowMs)}:${address}`;
        o.redis
          .multi()
          .incr(key)
          .pexpire(key, o.windowMs)
          .exec()
          .then((res) => {
            const shared = Number(res?.[0]?.[1] ?? 0);
            if (shared > o.limit) setBounded(limited, address, Math.floor(t / o.windowMs) * o.windowMs + o.windowMs, max);
          })
          .catch(() => undefined); // Redis down: local counts still apply
      }
    },
    stats: () => ({ countedAddresses: counts.size, limitedAddresses: limited.size, lookupsInFlight: inflight.size }),
  };
}

export type FailureLimiter = ReturnType<typeof createFailureLimiter>;
