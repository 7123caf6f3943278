import type { VerifyWarning } from '@latchkey/protocol';
import { canonicalAddress } from '../domain/ip-allowlist.js';
import {
  usageWarningKey,
  usageWarningOverflowKey,
  type TokenUsage,
  type UsageBatch,
  type UsageSource,
} from '../store/queries/usage.js';

export interface UsageStore {
  /** One transaction: the whole batch is written, or (it throws) none of it. */
  applyUsage(batch: UsageBatch): Promise<void>;
}

/**
 * Tokens written per transaction. A chunk holds SQLite's write lock while it is written (measured: ~2 ms
 * for 250 tokens; in memory, the event loop too), so a management write waits at most that long; a flush
 * of 50,000 tokens in one transaction stalled everything for 2.3 s (bench/usage-flush.mjs).
 */
export const DEFAULT_USAGE_CHUNK_SIZE = 250;

/**
 * Hot-path form of one token's usage: epoch ms and day numbers, turned into strings only when written.
 * The current day's count is a plain field: with many distinct tokens in use, one Map per token was
 * most of what the flush interval kept alive (and the garbage collector then moved and swept).
 */
interface Pending {
  lastMs: number;
  origin: string | null;
  day: number;
  count: number;
  /** Counts of earlier days (a flush interval that spans midnight, or usage put back after a failure). */
  earlier: Map<number, number> | null;
  /** Report-only warnings by usageWarningKey (day, code, origin or address); null: none (the usual case). */
  warnings: Map<string, number> | null;
  /** For eviction only, never written: the count an entry inherited when it took an evicted one's place. */
  floors?: Map<string, number>;
  /** Refusals by `day\ncode` (day as a day number); null: none. A token only refused has `count` 0. */
  refusals: Map<string, number> | null;
  /** Where its successful uses came from: origins, and addresses as given (made canonical when written). */
  origins: Map<string, Seen> | null;
  addresses: Map<string, Seen> | null;
}

/** One origin or address: first and last use (epoch ms) and uses since the last flush. */
interface Seen {
  first: number;
  last: number;
  n: number;
}

/**
 * Origins and addresses kept per token and kind between flushes: the most recently seen (the token page
 * lists the last 20 of what is written). A stream of new ones replaces the one seen longest ago, so memory
 * stays bounded — and the first time a token is full, an early flush is asked for (at most once a second,
 * `EARLY_FLUSH_MS`): every source reaches the store's known sources, and its first-use notice
 * (webhooks/notices.ts), unless a token sees more than this many new ones in a second.
 */
export const MAX_SOURCES = 200;
/** The least time between two early flushes (a token's sources full before the interval ends). */
export const EARLY_FLUSH_MS = 1000;

function addSeen(map: Map<string, Seen>, value: string, s: Seen): void {
  const cur = map.get(value);
  if (cur) {
    if (s.first < cur.first) cur.first = s.first;
    if (s.last > cur.last) cur.last = s.last;
    cur.n += s.n;
    return;
  }
  if (map.size >= MAX_SOURCES) {
    let oldest: string | null = null;
    let at = Infinity;
    for (const [k, v] of map) if (v.last < at) [oldest, at] = [k, v.last];
    if (oldest !== null && at > s.last) return; // older than all of them: not among the last 20
    if (oldest !== null) map.delete(oldest);
  }
  map.set(value, { ...s });
}

function seen(map: Map<string, Seen> | null, value: string, t: number): Map<string, Seen> {
  const m = map ?? new Map<string, Seen>();
  const cur = m.get(value);
  if (cur) {
    cur.last = t;
    cur.n += 1;
  } else addSeen(m, value, { first: t, last: t, n: 1 });
  return m;
}

/**
 * Distinct (day, warning, origin or address) kept per token between flushes. Whoever holds a leaked
 * report-only token can send any Origin; past this bound the entry with the fewest requests is counted
 * under '' and the new one takes its place, starting from the evicted estimate (the space-saving
 * algorithm), so a stream of one-off forged origins cannot push out the origins the customer really
 * uses. Written counts are exact: an evicted entry's requests move to '', none are invented.
 */
export const MAX_WARNING_SUBJECTS = 20;

function addWarning(u: Pending, key: string, n: number): void {
  const w = (u.warnings ??= new Map());
  const overflow = usageWarningOverflowKey(key);
  if (key === overflow || w.has(key) || w.size < MAX_WARNING_SUBJECTS) {
    w.set(key, (w.get(key) ?? 0) + n);
    return;
  }
  const floors = (u.floors ??= new Map());
  let victim: string | null = null;
  let least = Infinity;
  for (const [k, count] of w) {
    if (k === usageWarningOverflowKey(k)) continue;
    const estimate = count + (floors.get(k) ?? 0);
    if (estimate < least) [victim, least] = [k, estimate];
  }
  if (victim === null) {
    w.set(overflow, (w.get(overflow) ?? 0) + n);
    return;
  }
  const moved = usageWarningOverflowKey(victim);
  w.set(moved, (w.get(moved) ?? 0) + w.get(victim)!);
  w.delete(victim);
  floors.delete(victim);
  w.set(key, n);
  floors.set(key, least);
}

const DAY_MS = 86_400_000;

function addDay(u: Pending, day: number, n: number): void {
  if (day === u.day) {
    u.count += n;
    return;
  }
  u.earlier ??= new Map();
  // The later day stays in the plain fields, where the next uses land.
  const [keep, keepN, move, moveN] = day > u.day ? [day, n, u.day, u.count] : [u.day, u.count, day, n];
  u.earlier.set(move, (u.earlier.get(move) ?? 0) + moveN);
  u.day = keep;
  u.count = keepN + (u.earlier.get(keep) ?? 0);
  u.earlier.delete(keep);
}

const isoDay = (d: number) => new Date(d * DAY_MS).toISOString().slice(0, 10);

function toUsage(u: Pending): TokenUsage {
  const days = new Map<string, number>();
  if (u.earlier) for (const [d, n] of u.earlier) if (n > 0) days.set(isoDay(d), n);
  if (u.count > 0) days.set(isoDay(u.day), u.count);
  // Keyed by the written value: two spellings of one address (198.51.100.7, ::ffff:198.51.100.7) are one row.
  const sources = new Map<string, UsageSource>();
  const add = (kind: UsageSource['kind'], map: Map<string, Seen> | null) => {
    if (!map) return;
    for (const [raw, s] of map) {
      const value = kind === 'address' ? canonicalAddress(raw) : raw;
      if (value === '') continue; // text that is no address
      const firstSeen = new Date(s.first).toISOString();
      const lastSeen = new Date(s.last).toISOString();
      const key = `${kind}\n${value}`;
      const cur = sources.get(key);
      if (!cur) sources.set(key, { kind, value, firstSeen, lastSeen, count: s.n });
      else {
        if (firstSeen < cur.firstSeen) cur.firstSeen = firstSeen;
        if (lastSeen > cur.lastSeen) cur.lastSeen = lastSeen;
        cur.count += s.n;
      }
    }
  };
  add('origin', u.origins);
  add('address', u.addresses);
  let refusals: Map<string, number> | undefined;
  if (u.refusals) {
    refusals = new Map();
    for (const [key, n] of u.refusals) {
      const cut = key.indexOf('\n');
      refusals.set(`${isoDay(Number(key.slice(0, cut)))}\n${key.slice(cut + 1)}`, n);
    }
  }
  return {
    // Only refused since the last flush: nothing to say about its last use.
    lastUsedAt: days.size > 0 ? new Date(u.lastMs).toISOString() : null,
    lastUsedOrigin: u.origin,
    days,
    ...(u.warnings ? { warnings: u.warnings } : {}),
    ...(refusals ? { refusals } : {}),
    ...(sources.size > 0 ? { sources: [...sources.values()] } : {}),
  };
}

/** Adds `u` to `into`: counts add up, the later use wins (an origin-less use keeps the known origin). */
function merge(into: Map<string, Pending>, tokenId: string, u: Pending): void {
  const cur = into.get(tokenId);
  if (!cur) {
    into.set(tokenId, u);
    return;
  }
  if (u.lastMs >= cur.lastMs) {
    cur.lastMs = u.lastMs;
    if (u.origin !== null) cur.origin = u.origin;
  }
  if (u.earlier) for (const [d, n] of u.earlier) addDay(cur, d, n);
  addDay(cur, u.day, u.count);
  if (u.warnings) for (const [key, n] of u.warnings) addWarning(cur, key, n);
  if (u.refusals) {
    const r = (cur.refusals ??= new Map());
    for (const [key, n] of u.refusals) r.set(key, (r.get(key) ?? 0) + n);
  }
  if (u.origins) for (const [v, s] of u.origins) addSeen((cur.origins ??= new Map()), v, s);
  if (u.addresses) for (const [v, s] of u.addresses) addSeen((cur.addresses ??= new Map()), v, s);
}

/**
 * Last-used time, last origin and per-day counts, aggregated in memory and written every `intervalMs`
 * (and on shutdown), so the verify path itself never waits on a write. A flush writes `chunkSize` tokens
 * per transaction and yields to the event loop between chunks, so lookups and requests run in between
 * however many tokens were used. If a chunk fails, that chunk (rolled back) and every chunk after it go
 * back into the pending usage for the next flush: nothing is lost, nothing is counted twice.
 */
function fresh(lastMs: number, origin: string | null, day: number, count: number): Pending {
  return {
    lastMs,
    origin,
    day,
    count,
    earlier: null,
    warnings: null,
    refusals: null,
    origins: null,
    addresses: null,
  };
}

export function createUsageRecorder(deps: {
  store: UsageStore;
  intervalMs: number;
  chunkSize?: number;
  now?: () => number;
  onError?: (err: unknown) => void;
}) {
  const now = deps.now ?? Date.now;
  const chunkSize = Math.max(1, deps.chunkSize ?? DEFAULT_USAGE_CHUNK_SIZE);
  let pending = new Map<string, Pending>();
  let flushing: Promise<void> | null = null;
  let earlyFlushAt = -Infinity;

  /** Would this new origin or address push one of the token's sources out? */
  const full = (m: Map<string, Seen> | null, value: string | null) =>
    value !== null && value !== '' && m !== null && m.size >= MAX_SOURCES && !m.has(value);
  /**
   * A token's sources are full: everything pending goes to the store now (flush() swaps the pending map
   * before its first await), so no source is pushed out unseen; at most once per EARLY_FLUSH_MS.
   */
  function flushEarly(t: number): boolean {
    if (flushing || t - earlyFlushAt < EARLY_FLUSH_MS) return false;
    earlyFlushAt = t;
    void flush();
    return true;
  }

  async function write(batch: Map<string, Pending>): Promise<void> {
    const ids = [...batch.keys()];
    for (let i = 0; i < ids.length; i += chunkSize) {
      // setImmediate, not a resolved promise: timers and I/O (requests, their lookups) run in between.
      if (i > 0) await new Promise<void>((resolve) => setImmediate(resolve));
      const chunk: UsageBatch = new Map();
      for (let j = i; j < Math.min(i + chunkSize, ids.length); j++)
        chunk.set(ids[j]!, toUsage(batch.get(ids[j]!)!));
      try {
        await deps.store.applyUsage(chunk);
      } catch (err) {
        // Earlier chunks are committed; this one rolled back: put back exactly what is not written.
        for (let j = i; j < ids.length; j++) merge(pending, ids[j]!, batch.get(ids[j]!)!);
        deps.onError?.(err);
        return;
      }
    }
  }

  async function flush(): Promise<void> {
    while (flushing) await flushing;
    if (pending.size === 0) return;
    const batch = pending;
    pending = new Map();
    flushing = write(batch);
    try {
      await flushing;
    } finally {
      flushing = null;
    }
  }

  // A flush still writing when the next tick comes is left to finish; the tick after picks up the rest.
  const timer = setInterval(() => {
    if (!flushing) void flush();
  }, deps.intervalMs);
  timer.unref();

  return {
    /**
     * A successful use, with the origin and the address it came from (either may be null). O(1), and
     * allocation-free for a token, origin and address already seen since the last flush (the common case).
     */
    record(tokenId: string, origin: string | null, address: string | null = null): void {
      const t = now();
      const day = Math.floor(t / DAY_MS);
      let u = pending.get(tokenId);
      if (u && (full(u.origins, origin) || full(u.addresses, address)) && flushEarly(t)) u = undefined;
      if (!u) {
        u = fresh(t, origin, day, 1);
        pending.set(tokenId, u);
      } else {
        if (t >= u.lastMs) {
          u.lastMs = t;
          if (origin !== null) u.origin = origin;
        }
        addDay(u, day, 1);
      }
      if (origin !== null) u.origins = seen(u.origins, origin, t);
      if (address !== null && address !== '') u.addresses = seen(u.addresses, address, t);
    },
    /** A refusal of a token that exists (its code: revoked, rate_limited, origin_not_allowed, …). */
    recordRefusal(tokenId: string, code: string): void {
      const t = now();
      const day = Math.floor(t / DAY_MS);
      let u = pending.get(tokenId);
      if (!u) {
        u = fresh(0, null, day, 0);
        pending.set(tokenId, u);
      }
      const key = `${day}\n${code}`;
      const r = (u.refusals ??= new Map());
      r.set(key, (r.get(key) ?? 0) + 1);
    },
    /**
     * A report-only allowlist let this use through (after `record` for the same use): counted per warning
     * with the origin (origin warnings) or the address (ip_not_allowed) it came from.
     */
    recordWarnings(
      tokenId: string,
      warnings: readonly VerifyWarning[],
      origin: string | null,
      ip: string | null,
    ): void {
      const u = pending.get(tokenId);
      if (!u) return;
      const day = new Date(now()).toISOString().slice(0, 10);
      for (const code of warnings) {
        const subject = (code === 'ip_not_allowed' ? ip && canonicalAddress(ip) : origin) ?? '';
        addWarning(u, usageWarningKey(day, code, subject), 1);
      }
    },
    /** Writes everything recorded so far; resolves when written (or, on failure, put back and reported). */
    flush,
    async close(): Promise<void> {
      clearInterval(timer);
      await flush();
    },
  };
}

export type UsageRecorder = ReturnType<typeof createUsageRecorder>;
