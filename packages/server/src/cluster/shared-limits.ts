import { memoryStore, type LimitStore } from '../services/limit-store.js';
import type { LimitOp, WorkerMessage } from './messages.js';
import type { PrimaryRpc } from './rpc.js';

/**
 * Limit counters for the workers of one `serve --workers` without Redis: kept in the primary's memory,
 * one store per space, and every operation runs there one at a time — so the counts are exact across
 * workers (a count is the sum of every worker's attempts, not one worker's share). With Redis configured,
 * Redis is used instead (shared by every instance, not only by these workers).
 */

/** Most spaces the primary keeps (the code uses three); a bound, since each is a store of its own. */
const MAX_SPACES = 16;

/** The primary's side: runs each worker's operation on the store of its space. */
export function createLimitHost(opts: { now?: () => number; maxEntries?: number } = {}) {
  const now = opts.now ?? Date.now;
  const spaces = new Map<string, LimitStore>();
  const storeOf = (space: string): LimitStore => {
    let store = spaces.get(space);
    if (!store) {
      if (spaces.size >= MAX_SPACES) throw new Error(`too many limit spaces (${MAX_SPACES})`);
      store = memoryStore(now, opts.maxEntries ?? 100_000);
      spaces.set(space, store);
    }
    return store;
  };
  return {
    async handle(msg: Extract<WorkerMessage, { type: 'latchkey:limit' }>): Promise<unknown> {
      const store = storeOf(msg.space);
      switch (msg.op) {
        case 'incr':
          return store.incr(msg.key, msg.ttlMs);
        case 'count':
          return store.count(msg.key);
        case 'claim':
          return store.claim(msg.key, msg.ttlMs);
        case 'put':
          return store.put(msg.key, msg.ttlMs);
        case 'has':
          return store.has(msg.key);
        case 'remove':
          return store.remove(msg.key);
      }
    },
  };
}

/** The worker's side: a LimitStore whose every operation runs in the primary. */
export function primaryLimitStore(rpc: PrimaryRpc, space: string): LimitStore {
  const call = (op: LimitOp, key: string, ttlMs = 0) =>
    rpc.request({ type: 'latchkey:limit', space, op, key, ttlMs });
  return {
    incr: async (key, ttlMs) => Number(await call('incr', key, ttlMs)),
    count: async (key) => Number(await call('count', key)),
    claim: async (key, ttlMs) => {
      const left = await call('claim', key, ttlMs);
      return typeof left === 'number' ? left : null;
    },
    put: async (key, ttlMs) => {
      await call('put', key, ttlMs);
    },
    has: async (key) => (await call('has', key)) === true,
    remove: async (key) => {
      await call('remove', key);
    },
  };
}
