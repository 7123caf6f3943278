import type { Redis } from 'ioredis';
import { LRUCache } from 'lru-cache';

/**
 * Limits on every credential check a person can make (sign-in, password change, first-run setup), keyed by
 * the account named (the e-mail as typed, lower-cased, whether or not it exists) and the client address.
 *
 * - **Per (account, address)**: a hard limit. After `addressLimit` attempts without a success within the
 *   window, that address is refused for that account until the window ends. Other addresses, and other
 *   accounts from that address, are not affected, so an outsider cannot lock the owner out.
 * - **Per account**: a slow-down, not a lock. After `slowdownAfter` failures on the account within the window
 *   (from any addresses), attempts from addresses that have not signed in to it within the last
 *   `knownAddressTtlMs` share one attempt per `slowdownIntervalMs`. A guesser spread over many addresses is
 *   slowed to that pace; the owner, from an address they signed in from before, is not slowed at all.
 *
 * An unknown e-mail goes through exactly the same counters as a wrong password, so the answers (and the
 * limits) never tell whether an account exists. Counts live in Redis when it is configured (shared by every
 * instance) and fall back to this instance's memory when Redis fails; memory is bounded (least recently used
 * entries are forgotten first).
 */
export interface CredentialLimitsOptions {
  addressLimit: number;
  slowdownAfter: number;
  slowdownIntervalMs: number;
  windowMs?: number;
  knownAddressTtlMs?: number;
  /** Most entries kept in memory per kind (counters, known addresses). */
  maxEntries?: number;
  redis?: Redis;
  now?: () => number;
  keyPrefix?: string;
}

export type Admission = { ok: true } | { ok: false; retryAfterSeconds: number };

export const CREDENTIAL_WINDOW_MS = 15 * 60_000;
export const KNOWN_ADDRESS_TTL_MS = 30 * 24 * 3_600_000;

/** A tiny key/value store with expiry: Redis when given (falling back on error), memory otherwise. */
interface LimitStore {
  /** Adds one and returns the new count; the key expires `ttlMs` after it was first counted. */
  incr(key: string, ttlMs: number): Promise<number>;
  count(key: string): Promise<number>;
  /** Sets the key unless present: null when set now, else the milliseconds it has left. */
  claim(key: string, ttlMs: number): Promise<number | null>;
  put(key: string, ttlMs: number): Promise<void>;
  has(key: string): Promise<boolean>;
  remove(key: string): Promise<void>;
}

function memoryStore(now: () => number, max: number): LimitStore {
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

function redisStore(redis: Redis): LimitStore {
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
function withFallback(primary: LimitStore, fallback: LimitStore): LimitStore {
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

export function createCredentialLimits(o: CredentialLimitsOptions) {
  const now = o.now ?? Date.now;
  const windowMs = o.windowMs ?? CREDENTIAL_WINDOW_MS;
  const knownTtl = o.knownAddressTtlMs ?? KNOWN_ADDRESS_TTL_MS;
  const max = o.maxEntries ?? 100_000;
  const prefix = o.keyPrefix ?? 'latchkey:credentials';
  // Counters and known addresses are kept apart, so a flood of counted pairs cannot push out the record
  // of where the owner signed in from.
  const counters = o.redis ? withFallback(redisStore(o.redis), memoryStore(now, max)) : memoryStore(now, max);
  const known = o.redis ? withFallback(redisStore(o.redis), memoryStore(now, max)) : memoryStore(now, max);

  // Fixed windows: the key names the window, so every instance agrees on when it ends.
  const windowOf = (t: number) => Math.floor(t / windowMs);
  const secondsLeft = (ms: number) => Math.max(1, Math.ceil(ms / 1000));
  // Encoded, so that no e-mail or address (IPv6 has colons) can spell another pair's key; base64url for
  // e-mails, which never throws (encodeURIComponent does on a lone surrogate).
  const norm = (account: string) => Buffer.from(account.toLowerCase()).toString('base64url');
  const pairKey = (account: string, address: string, w: number) =>
    `${prefix}:pair:${w}:${norm(account)}:${encodeURIComponent(address)}`;
  const accountKey = (account: string, w: number) => `${prefix}:account:${w}:${norm(account)}`;
  const knownKey = (account: string, address: string) =>
    `${prefix}:known:${norm(account)}:${encodeURIComponent(address)}`;
  const slotKey = (account: string) => `${prefix}:slot:${norm(account)}`;

  return {
    /**
     * May this address try a credential for this account now? Counts the attempt against the pair at once
     * (so a burst of concurrent attempts cannot all pass before the first fails); a success clears it.
     */
    async admit(account: string, address: string): Promise<Admission> {
      const t = now();
      const w = windowOf(t);
      const windowLeft = (w + 1) * windowMs - t;
      if ((await counters.incr(pairKey(account, address, w), windowMs)) > o.addressLimit) {
        return { ok: false, retryAfterSeconds: secondsLeft(windowLeft) };
      }
      if ((await counters.count(accountKey(account, w))) < o.slowdownAfter) return { ok: true };
      if (await known.has(knownKey(account, address))) return { ok: true };
      const wait = await counters.claim(slotKey(account), o.slowdownIntervalMs);
      return wait === null ? { ok: true } : { ok: false, retryAfterSeconds: secondsLeft(wait) };
    },

    /** The credential was wrong (or the account does not exist): counts towards the account's slow-down. */
    async failed(account: string): Promise<void> {
      await counters.incr(accountKey(account, windowOf(now())), windowMs);
    },

    /** The credential was right: this address is now known for the account, and its pair count starts over. */
    async succeeded(account: string, address: string): Promise<void> {
      await known.put(knownKey(account, address), knownTtl);
      await counters.remove(pairKey(account, address, windowOf(now())));
    },

    /**
     * Counts one use of a budget (say, reset e-mails to one address) and tells whether it is still within
     * `limit` per `periodMs`.
     */
    async withinBudget(name: string, limit: number, periodMs: number): Promise<boolean> {
      const w = Math.floor(now() / periodMs);
      return (await counters.incr(`${prefix}:budget:${w}:${encodeURIComponent(name)}`, periodMs)) <= limit;
    },
  };
}

export type CredentialLimits = ReturnType<typeof createCredentialLimits>;
