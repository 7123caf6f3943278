import type { Redis } from 'ioredis';

export interface FailureLimiterOptions {
  /** token_invalid answers allowed per client address per window before it is limited. */
  limit: number;
  windowMs: number;
  /** Shared counts across instances (REDIS_URL); local counts only without it. */
  redis?: Redis;
  now?: () => number;
  /** Redis key prefix, so several limiters can share one Redis. */
  keyPrefix?: string;
}

/**
 * Limits clients that keep presenting invalid tokens (a flood of garbage or guessed values) without
 * slowing anyone's valid traffic: a limited address is only refused for tokens the cache does not
 * already know, so its valid, cached tokens keep working at full speed and nothing it sends reaches the
 * database. The hot-path check is a local Set lookup; counting happens only on failures (and, with
 * Redis, asynchronously: the shared count comes back and marks the address limited on every instance
 * that sees it fail).
 */
export function createFailureLimiter(o: FailureLimiterOptions) {
  const now = o.now ?? Date.now;
  let windowStart = now();
  let counts = new Map<string, number>();
  const limited = new Map<string, number>(); // address → limited until (ms)

  function roll(t: number) {
    if (t - windowStart >= o.windowMs) {
      windowStart = t;
      counts = new Map();
    }
  }

  return {
    isLimited(address: string): boolean {
      if (limited.size === 0) return false;
      const until = limited.get(address);
      if (until === undefined) return false;
      if (until > now()) return true;
      limited.delete(address);
      return false;
    },
    recordFailure(address: string): void {
      const t = now();
      roll(t);
      const n = (counts.get(address) ?? 0) + 1;
      counts.set(address, n);
      if (n > o.limit) limited.set(address, windowStart + o.windowMs);
      if (o.redis) {
        const key = `${o.keyPrefix ?? 'latchkey:verify-failures'}:${Math.floor(t / o.windowMs)}:${address}`;
        o.redis
          .multi()
          .incr(key)
          .pexpire(key, o.windowMs)
          .exec()
          .then((res) => {
            const shared = Number(res?.[0]?.[1] ?? 0);
            if (shared > o.limit) limited.set(address, Math.floor(t / o.windowMs) * o.windowMs + o.windowMs);
          })
          .catch(() => undefined); // Redis down: local counts still apply
      }
    },
    stats: () => ({ limitedAddresses: limited.size }),
  };
}

export type FailureLimiter = ReturnType<typeof createFailureLimiter>;
