import type { Redis } from 'ioredis';
import { addressKey } from '../domain/address-key.js';

export interface FailureLimiterOptions {
  /** token_invalid answers allowed per client address per window before it is limited. */
  limit: number;
  /** The window (LATCHKEY_VERIFY_FAILURE_WINDOW_SECONDS); a limited address stays limited until it ends. */
  windowMs: number;
  /**
   * Most addresses counted at once. A flood spread over more addresses than this cannot grow memory:
   * the address counted longest ago is forgotten (it could then fail `limit` times more; the negative
   * cache still stops any repeated value from reaching the database).
   */
  maxAddresses?: number;
  /** Shared counts across instances (REDIS_URL); local counts only without it. */
  redis?: Redis;
  /**
   * Shared counts kept by another process when there is no Redis: the cluster primary, for the workers of
   * one `serve --workers`. Same contract as the Redis count: adds one, returns the shared total.
   */
  shared?: SharedCounter;
  now?: () => number;
  /** Redis key prefix, so several limiters can share one Redis. */
  keyPrefix?: string;
}

export interface SharedCounter {
  /** Adds one to `key` and returns its count; the key expires `ttlMs` after it was first counted. */
  incr(key: string, ttlMs: number): Promise<number>;
}

function redisCounter(redis: Redis): SharedCounter {
  return {
    async incr(key, ttlMs) {
      const res = await redis.multi().incr(key).pexpire(key, ttlMs).exec();
      return Number(res?.[0]?.[1] ?? 0);
    },
  };
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
 * Redis or the cluster primary, asynchronously: the shared count comes back and marks the address limited
 * on every instance or worker that sees it fail, so each of them lets through about one failed lookup
 * beyond the shared limit per window, plus what is in flight while the count travels). Memory is bounded:
 * at most `maxAddresses` counts and limited addresses, and limits that ran out are dropped when the window
 * rolls over.
 */
export function createFailureLimiter(o: FailureLimiterOptions) {
  const now = o.now ?? Date.now;
  const max = o.maxAddresses ?? DEFAULT_MAX_ADDRESSES;
  const shared = o.redis ? redisCounter(o.redis) : o.shared;
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

  // Every map below is keyed by addressKey(address): an IPv6 client's /64 is one client. The key is
  // computed only off the common path (something is limited, a lookup, a failure).
  function isLimited(address: string): boolean {
    if (limited.size === 0) return false;
    const key = addressKey(address);
    const until = limited.get(key);
    if (until === undefined) return false;
    if (until > now()) return true;
    limited.delete(key);
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
      const key = addressKey(address);
      const pending = inflight.get(key) ?? 0;
      if ((counts.get(key) ?? 0) + pending > o.limit) return false;
      inflight.set(key, pending + 1);
      return true;
    },
    lookupDone(address: string): void {
      const key = addressKey(address);
      const pending = (inflight.get(key) ?? 1) - 1;
      if (pending > 0) inflight.set(key, pending);
      else inflight.delete(key);
    },
    recordFailure(address: string): void {
      const t = now();
      roll(t);
      const key = addressKey(address);
      const n = (counts.get(key) ?? 0) + 1;
      setBounded(counts, key, n, max);
      if (n > o.limit) setBounded(limited, key, windowStart + o.windowMs, max);
      if (shared) {
        const w = Math.floor(t / o.windowMs);
        shared
          .incr(`${o.keyPrefix ?? 'latchkey:verify-failures'}:${w}:${key}`, o.windowMs)
          .then((total) => {
            if (total > o.limit) setBounded(limited, key, w * o.windowMs + o.windowMs, max);
          })
          .catch(() => undefined); // shared counts unavailable: local counts still apply
      }
    },
    /**
     * Seconds until `address` is looked up again, for Retry-After: until its limit ends when it is limited,
     * else (its failures and lookups in flight have used this window up) until the window rolls over. At
     * least 1.
     */
    retryAfterSeconds(address: string): number {
      const until = limited.get(addressKey(address)) ?? windowStart + o.windowMs;
      return Math.max(1, Math.ceil((until - now()) / 1000));
    },
    stats: () => ({
      countedAddresses: counts.size,
      limitedAddresses: limited.size,
      lookupsInFlight: inflight.size,
    }),
  };
}

export type FailureLimiter = ReturnType<typeof createFailureLimiter>;
