import { LRUCache } from 'lru-cache';
import type { TokenLookup, TokenLookupRow } from '../store/queries/verify-lookup.js';
import type { InvalidationEvent } from '../domain/invalidation-event.js';
import type { InvalidationBus } from './invalidation.js';

export interface CacheOptions {
  /** Known tokens kept in memory. */
  maxEntries: number;
  /** Backstop only: every change invalidates at once; this bounds what a missed event could cost. */
  ttlMs: number;
  /** Unknown hashes remembered, so repeated garbage never reaches the database. */
  negativeMaxEntries: number;
  negativeTtlMs: number;
  /** What the TTLs are counted in (ms); the app's clock, so tests can move it. Default: performance.now. */
  now?: () => number;
}

export const DEFAULT_CACHE_OPTIONS: CacheOptions = {
  maxEntries: 100_000,
  ttlMs: 5 * 60_000,
  negativeMaxEntries: 100_000,
  negativeTtlMs: 60_000,
};

export interface CacheStats {
  hits: number;
  misses: number;
  negativeHits: number;
  lookups: number;
  size: number;
  negativeSize: number;
}

export interface CachedLookup extends TokenLookup {
  stats(): CacheStats;
  clear(): void;
  /**
   * While true, every lookup goes to the database and nothing is cached: used when this instance cannot
   * hear other instances' invalidations, so it can never serve a stale allow.
   */
  setBypass(bypass: boolean): void;
  /** Stops listening to the invalidation bus. */
  close(): void;
}

/**
 * Caches lookups by token hash. Entries are dropped as soon as an invalidation event says what they
 * depend on changed (token, owner, role, membership, org). A generation counter guards the race where a
 * lookup started before a change and finishes after its invalidation: such a result is used once but
 * never cached. Concurrent misses for one hash share one database round trip.
 */
export function createCachedLookup(
  base: TokenLookup,
  bus: InvalidationBus,
  options: Partial<CacheOptions> = {},
): CachedLookup {
  const o = { ...DEFAULT_CACHE_OPTIONS, ...options };
  // A given clock is read on every check (lru-cache otherwise reuses a reading for 1 ms of real time).
  const time = o.now ? { perf: { now: o.now }, ttlResolution: 0 } : {};
  const positive = new LRUCache<string, TokenLookupRow>({ max: o.maxEntries, ttl: o.ttlMs, ...time });
  const negative = new LRUCache<string, true>({ max: o.negativeMaxEntries, ttl: o.negativeTtlMs, ...time });
  const inflight = new Map<string, Promise<TokenLookupRow | null>>();
  // A rotated token answers to two hashes while its previous secret still verifies (docs/lifecycle.md); a
  // change to the token names one of them, so the cache remembers, for such tokens only, every hash it holds.
  const rotatedHashes = new Map<string, Set<string>>();
  const remember = (hash: string, row: TokenLookupRow) => {
    if (row.secret.kind === 'current' && row.secret.pending === null) return;
    let hashes = rotatedHashes.get(row.tokenId);
    if (!hashes) rotatedHashes.set(row.tokenId, (hashes = new Set()));
    hashes.add(hash);
  };
  let generation = 0;
  let bypass = false;
  const stats = { hits: 0, misses: 0, negativeHits: 0, lookups: 0 };

  const dropWhere = (pred: (row: TokenLookupRow) => boolean) => {
    for (const [hash, row] of positive.entries()) if (pred(row)) positive.delete(hash);
  };

  function onEvent(e: InvalidationEvent): void {
    generation += 1;
    inflight.clear();
    switch (e.kind) {
      case 'token':
        positive.delete(e.hash);
        negative.delete(e.hash);
        for (const hash of rotatedHashes.get(e.tokenId) ?? []) positive.delete(hash);
        rotatedHashes.delete(e.tokenId);
        break;
      case 'service_account':
        dropWhere((r) => r.ownerServiceAccountId === e.serviceAccountId);
        break;
      case 'role':
        dropWhere((r) => r.roleId === e.roleId);
        break;
      case 'member':
        dropWhere((r) => r.orgId === e.orgId && r.ownerUserId === e.userId);
        break;
      case 'org':
        dropWhere((r) => r.orgId === e.orgId);
        break;
      case 'all':
        positive.clear();
        negative.clear();
        rotatedHashes.clear();
        break;
    }
  }
  const unsubscribe = bus.subscribe(onEvent);

  function peek(hash: string): TokenLookupRow | null | undefined {
    if (bypass) return undefined;
    const hit = positive.get(hash);
    if (hit) {
      stats.hits += 1;
      return hit;
    }
    if (negative.has(hash)) {
      stats.negativeHits += 1;
      return null;
    }
    return undefined;
  }

  return {
    peek,
    async byHash(hash) {
      if (bypass) {
        stats.lookups += 1;
        return base.byHash(hash);
      }
      const known = peek(hash);
      if (known !== undefined) return known;
      stats.misses += 1;
      const pending = inflight.get(hash);
      if (pending) return pending;
      const startedAt = generation;
      const p = (async () => {
        stats.lookups += 1;
        const row = await base.byHash(hash);
        if (generation === startedAt) {
          if (row) {
            positive.set(hash, row);
            remember(hash, row);
          } else negative.set(hash, true);
        }
        return row;
      })().finally(() => {
        if (inflight.get(hash) === p) inflight.delete(hash);
      });
      inflight.set(hash, p);
      return p;
    },
    hasImported: () => base.hasImported(),
    stats: () => ({ ...stats, size: positive.size, negativeSize: negative.size }),
    setBypass(value) {
      bypass = value;
      generation += 1;
      rotatedHashes.clear();
      positive.clear();
      negative.clear();
      inflight.clear();
    },
    clear() {
      generation += 1;
      rotatedHashes.clear();
      positive.clear();
      negative.clear();
      inflight.clear();
    },
    close: unsubscribe,
  };
}
