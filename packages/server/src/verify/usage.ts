import type { UsageBatch } from '../store/queries/usage.js';

export interface UsageStore {
  applyUsage(batch: UsageBatch): Promise<void>;
}

/**
 * Last-used time, last origin and per-day counts, aggregated in memory and written in one batch every
 * `intervalMs` (and on shutdown), so the verify path itself never waits on a write.
 */
export function createUsageRecorder(deps: { store: UsageStore; intervalMs: number; now?: () => number; onError?: (err: unknown) => void }) {
  const now = deps.now ?? Date.now;
  let pending: UsageBatch = new Map();
  let flushing: Promise<void> | null = null;

  // Hot-path form: epoch ms and day numbers; converted to ISO strings only when flushed.
  let raw = new Map<string, { lastMs: number; origin: string | null; days: Map<number, number> }>();
  function drainRaw(): void {
    for (const [id, u] of raw) {
      const lastUsedAt = new Date(u.lastMs).toISOString();
      let cur = pending.get(id);
      if (!cur) {
        cur = { lastUsedAt, lastUsedOrigin: u.origin, days: new Map() };
        pending.set(id, cur);
      } else if (lastUsedAt >= cur.lastUsedAt) {
        cur.lastUsedAt = lastUsedAt;
        cur.lastUsedOrigin = u.origin ?? cur.lastUsedOrigin;
      }
      for (const [d, n] of u.days) {
        const day = new Date(d * 86_400_000).toISOString().slice(0, 10);
        cur.days.set(day, (cur.days.get(day) ?? 0) + n);
      }
    }
    raw = new Map();
  }

  async function flush(): Promise<void> {
    if (flushing) await flushing;
    drainRaw();
    if (pending.size === 0) return;
    const batch = pending;
    pending = new Map();
    flushing = deps.store.applyUsage(batch).catch((err: unknown) => {
      // Put the counts back so a transient failure loses nothing.
      for (const [id, u] of batch) {
        const cur = pending.get(id);
        if (!cur) pending.set(id, u);
        else {
          for (const [day, n] of u.days) cur.days.set(day, (cur.days.get(day) ?? 0) + n);
          if (u.lastUsedAt > cur.lastUsedAt) Object.assign(cur, { lastUsedAt: u.lastUsedAt, lastUsedOrigin: u.lastUsedOrigin });
        }
      }
      deps.onError?.(err);
    });
    try {
      await flushing;
    } finally {
      flushing = null;
    }
  }

  const timer = setInterval(() => void flush(), deps.intervalMs);
  timer.unref();

  return {
    /** O(1) and allocation-free for a token already seen in this batch (the common case). */
    record(tokenId: string, origin: string | null): void {
      const t = now();
      const day = Math.floor(t / 86_400_000);
      let u = raw.get(tokenId);
      if (!u) {
        u = { lastMs: t, origin, days: new Map() };
        raw.set(tokenId, u);
      } else if (t >= u.lastMs) {
        u.lastMs = t;
        if (origin !== null) u.origin = origin;
      }
      u.days.set(day, (u.days.get(day) ?? 0) + 1);
    },
    flush,
    async close(): Promise<void> {
      clearInterval(timer);
      await flush();
    },
  };
}

export type UsageRecorder = ReturnType<typeof createUsageRecorder>;
