import type { Redis } from 'ioredis';
import { memoryStore, redisStore, withFallback, type LimitStore } from './limit-store.js';
import { addressKey } from '../domain/address-key.js';

/**
 * Limits on every credential check a person can make (sign-in, password change, first-run setup), keyed by
 * the account named (the e-mail as typed, lower-cased, whether or not it exists) and the client address.
 *
 * - **Per (account, address)**: a hard limit. After `addressLimit` attempts without a success within the
 *   window, that address is refused for that account until the window ends. Other addresses, and other
 *   accounts from that address, are not affected, so an outsider cannot lock the owner out. An address is
 *   its addressKey: an IPv6 /64 is one address, so someone on the owner's own /64 (or behind the owner's
 *   IPv4 NAT, as always) shares the owner's count.
 * - **Per account**: a slow-down, not a lock. After `slowdownAfter` failures on the account within the window
 *   (from any addresses), attempts from addresses that have not signed in to it within the last
 *   `knownAddressTtlMs` share one attempt per `slowdownIntervalMs`. A guesser spread over many addresses is
 *   slowed to that pace; the owner, from an address they signed in from before, is not slowed at all.
 *
 * An unknown e-mail goes through exactly the same counters as a wrong password, so the answers (and the
 * limits) never tell whether an account exists. Counts live in Redis when it is configured (shared by every
 * instance) and fall back to this instance's memory when Redis fails; without Redis, the workers of one
 * `serve --workers` share the counts their primary keeps (`shared`). Memory is bounded (least recently used
 * entries are forgotten first).
 */
export interface CredentialLimitsOptions {
  addressLimit: number;
  slowdownAfter: number;
  slowdownIntervalMs: number;
  /** The fixed window both counts are kept in (LATCHKEY_SIGNIN_WINDOW_SECONDS); a refusal lasts until it ends. */
  windowMs: number;
  knownAddressTtlMs?: number;
  /** Most entries kept in memory per kind (counters, known addresses). */
  maxEntries?: number;
  redis?: Redis;
  /**
   * Counts kept by another process when there is no Redis (the cluster primary, for `serve --workers`):
   * one store per space, so that a flood of counters cannot push out the known addresses.
   */
  shared?: (space: 'credential-counters' | 'credential-known') => LimitStore;
  now?: () => number;
  keyPrefix?: string;
}

export type Admission = { ok: true } | { ok: false; retryAfterSeconds: number };

export const KNOWN_ADDRESS_TTL_MS = 30 * 24 * 3_600_000;

export function createCredentialLimits(o: CredentialLimitsOptions) {
  const now = o.now ?? Date.now;
  const windowMs = o.windowMs;
  const knownTtl = o.knownAddressTtlMs ?? KNOWN_ADDRESS_TTL_MS;
  const max = o.maxEntries ?? 100_000;
  const prefix = o.keyPrefix ?? 'latchkey:credentials';
  // Counters and known addresses are kept apart, so a flood of counted pairs cannot push out the record
  // of where the owner signed in from.
  const sharedStore = (space: 'credential-counters' | 'credential-known'): LimitStore | undefined =>
    o.redis ? redisStore(o.redis) : o.shared?.(space);
  const storeFor = (space: 'credential-counters' | 'credential-known'): LimitStore => {
    const shared = sharedStore(space);
    return shared ? withFallback(shared, memoryStore(now, max)) : memoryStore(now, max);
  };
  const counters = storeFor('credential-counters');
  const known = storeFor('credential-known');

  // Fixed windows: the key names the window, so every instance agrees on when it ends.
  const windowOf = (t: number) => Math.floor(t / windowMs);
  const secondsLeft = (ms: number) => Math.max(1, Math.ceil(ms / 1000));
  // Encoded, so that no e-mail or address (IPv6 has colons) can spell another pair's key; base64url for
  // e-mails, which never throws (encodeURIComponent does on a lone surrogate).
  const norm = (account: string) => Buffer.from(account.toLowerCase()).toString('base64url');
  // An address counts as its addressKey: an IPv6 client's whole /64 is one pair, and one known address.
  const pairKey = (account: string, address: string, w: number) =>
    `${prefix}:pair:${w}:${norm(account)}:${encodeURIComponent(addressKey(address))}`;
  const accountKey = (account: string, w: number) => `${prefix}:account:${w}:${norm(account)}`;
  const knownKey = (account: string, address: string) =>
    `${prefix}:known:${norm(account)}:${encodeURIComponent(addressKey(address))}`;
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
