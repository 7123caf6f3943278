import type { TokenUsage, UsageBatch } from '../store/queries/usage.js';

export interface UsageStore {
  /** One transaction: the whole batch is written, or (it throws) none of it. */
  applyUsage(batch: UsageBatch): Promise<void>;
}

/**
 * Tokens written per transaction. On SQLite a chunk holds the only connection and the event loop while it
 * is written (measured: ~2 ms for 250 tokens), so verifications wait at most that long; a flush of 50,000
 * tokens in one transaction stalled them for 2.3 s (bench/usage-flush.mjs).
 */
export const DEFAULT_USAGE_CHUNK_SIZE = 250;

/** Hot-path form of one token's usage: epoch ms and day numbers, turned into strings only when written. */
interface Pending {
  lastMs: number;
  origin: string | null;
  days: Map<number, number>;
}

const DAY_MS = 86_400_000;

function toUsage(u: Pending): TokenUsage {
  const days = new Map<string, number>();
  for (const [d, n] of u.days) days.set(new Date(d * DAY_MS).toISOString().slice(0, 10), n);
  return { lastUsedAt: new Date(u.lastMs).toISOString(), lastUsedOrigin: u.origin, days };
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
  for (const [d, n] of u.days) cur.days.set(d, (cur.days.get(d) ?? 0) + n);
}

/**
 * Last-used time, last origin and per-day counts, aggregated in memory and written every `intervalMs`
 * (and on shutdown), so the verify path itself never waits on a write. A flush writes `chunkSize` tokens
 * per transaction and yields to the event loop between chunks, so lookups and requests run in between
 * however many tokens were used. If a chunk fails, that chunk (rolled back) and every chunk after it go
 * back into the pending usage for the next flush: nothing is lost, nothing is counted twice.
 */
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
    /** O(1) and allocation-free for a token already seen since the last flush (the common case). */
    record(tokenId: string, origin: string | null): void {
      const t = now();
      const day = Math.floor(t / DAY_MS);
      let u = pending.get(tokenId);
      if (!u) {
        u = { lastMs: t, origin, days: new Map() };
        pending.set(tokenId, u);
      } else if (t >= u.lastMs) {
        u.lastMs = t;
        if (origin !== null) u.origin = origin;
      }
      u.days.set(day, (u.days.get(day) ?? 0) + 1);
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
