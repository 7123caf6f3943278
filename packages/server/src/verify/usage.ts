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

  async function flush(): Promise<void> {
    if (flushing) await flushing;
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
    record(tokenId: string, origin: string | null): void {
      const t = now();
      const at = new Date(t).toISOString();
      const day = at.slice(0, 10);
      let u = pending.get(tokenId);
      if (!u) {
        u = { lastUsedAt: at, lastUsedOrigin: origin, days: new Map() };
        pending.set(tokenId, u);
      } else if (at >= u.lastUsedAt) {
        u.lastUsedAt = at;
        u.lastUsedOrigin = origin ?? u.lastUsedOrigin;
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
