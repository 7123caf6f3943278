import type { Redis } from 'ioredis';
import { LRUCache } from 'lru-cache';

/*
 * Where limit counters live: this process's memory, Redis (shared by every instance), or — for the workers
 * of one `serve --workers` without Redis — the cluster primary's memory, reached over IPC (src/cluster/).
 */

/** A tiny key/value store with expiry (memory, Redis, or the cluster primary). */
export interface LimitStore {
  /** Adds one and returns the new count; the key expires `ttlMs` after it was first counted. */
  incr(key: string, ttlMs: number): Promise<number>;
  count(key: string): Promise<number>;
  /** Sets the key unless present: null when set now, else the milliseconds it has left. */
  claim(key: string, ttlMs: number): Promise<number | null>;
  put(key: string, ttlMs: number): Promise<void>;
  has(key: string): Promise<boolean>;
  remove(key: string): Promise<void>;
}

export function memoryStore(now: () => number, max: number): LimitStore {
  const entries = new LRUCache<string, { n: number; until: number }>({ max });
  const live = (key: string) => {
    const e = entries.get(key);
    if (e && e.until > now()) return e;
    if (e) entries.delete(key);
    return undefined;
  };
  return {
    async incr(key, ttlMs) {
      const e = live(key);
      if (e) {
        e.n += 1;
        return e.n;
      }
      entries.set(key, { n: 1, until: now() + ttlMs });
      return 1;
    },
    async count(key) {
      return live(key)?.n ?? 0;
    },
    async claim(key, ttlMs) {
      const e = live(key);
      if (e) return e.until - now();
      entries.set(key, { n: 1, until: now() + ttlMs });
      return null;
    },
    async put(key, ttlMs) {
      entries.set(key, { n: 1, until: now() + ttlMs });
    },
    async has(key) {
      return live(key) !== undefined;
    },
    async remove(key) {
      entries.delete(key);
    },
  };
}

export function redisStore(redis: Redis): LimitStore {
  return {
    async incr(key, ttlMs) {
      // Counter keys name their window, so renewing the expiry on each count never stretches a window.
      const res = await redis.multi().incr(key).pexpire(key, ttlMs).exec();
      const [err, n] = res?.[0] ?? [new Error('no reply')];
      if (err) throw err;
      return Number(n);
    },
    async count(key) {
      return Number((await redis.get(key)) ?? 0);
    },
    async claim(key, ttlMs) {
      if ((await redis.set(key, '1', 'PX', ttlMs, 'NX')) === 'OK') return null;
      return Math.max(1, await redis.pttl(key));
    },
    async put(key, ttlMs) {
      await redis.set(key, '1', 'PX', ttlMs);
    },
    async has(key) {
      return (await redis.exists(key)) === 1;
    },
    async remove(key) {
      await redis.del(key);
    },
  };
}

/** Every operation on Redis, and on this instance's memory if Redis fails (limits then apply per instance). */
export function withFallback(primary: LimitStore, fallback: LimitStore): LimitStore {
  const either =
    <A extends unknown[], R>(f: (s: LimitStore) => (...a: A) => Promise<R>) =>
    async (...a: A): Promise<R> => {
      try {
        return await f(primary)(...a);
      } catch {
        return f(fallback)(...a);
      }
    };
  return {
    incr: either((s) => s.incr),
    count: either((s) => s.count),
    claim: either((s) => s.claim),
    put: either((s) => s.put),
    has: either((s) => s.has),
    remove: either((s) => s.remove),
  };
}
