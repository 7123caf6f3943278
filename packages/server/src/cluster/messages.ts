import type { InvalidationEvent } from '../domain/invalidation-event.js';

/**
 * The IPC messages between the primary of `latchkey serve --workers` and its workers. Every type starts
 * with `latchkey:`, so they never collide with the messages of node:cluster itself, prom-client's
 * AggregatorRegistry or rate-limiter-flexible's cluster limiter, which share the channel.
 */

/** The operations of a LimitStore (services/limit-store.ts), run in the primary. */
export type LimitOp = 'incr' | 'count' | 'claim' | 'put' | 'has' | 'remove';

export type WorkerMessage =
  /** This worker committed a change: the primary relays the events to every worker (SQLite only). */
  | { type: 'latchkey:invalidate'; events: InvalidationEvent[] }
  /** A limit counter operation in `space`, answered with a `latchkey:reply` of the same id. */
  | { type: 'latchkey:limit'; id: number; space: string; op: LimitOp; key: string; ttlMs: number }
  /** The /metrics text for every worker, answered with a `latchkey:reply` of the same id. */
  | { type: 'latchkey:metrics'; id: number };

export type PrimaryMessage =
  /**
   * Events committed by worker `from`, numbered in the order the primary relays them: each worker sees
   * every number (its own events too, which it has applied already), so a gap means it missed some.
   */
  | { type: 'latchkey:invalidated'; seq: number; from: number; events: InvalidationEvent[] }
  | { type: 'latchkey:reply'; id: number; value?: unknown; error?: string }
  /** Stop serving, flush, exit. */
  | { type: 'latchkey:shutdown' };

const WORKER_TYPES: ReadonlySet<string> = new Set([
  'latchkey:invalidate',
  'latchkey:limit',
  'latchkey:metrics',
]);
const PRIMARY_TYPES: ReadonlySet<string> = new Set([
  'latchkey:invalidated',
  'latchkey:reply',
  'latchkey:shutdown',
]);

const typeOf = (msg: unknown): unknown =>
  typeof msg === 'object' && msg !== null ? (msg as { type?: unknown }).type : undefined;

export function isWorkerMessage(msg: unknown): msg is WorkerMessage {
  const type = typeOf(msg);
  return typeof type === 'string' && WORKER_TYPES.has(type);
}

export function isPrimaryMessage(msg: unknown): msg is PrimaryMessage {
  const type = typeOf(msg);
  return typeof type === 'string' && PRIMARY_TYPES.has(type);
}

/** One end of an IPC channel: `process` in a worker (see processChannel), a fake pair in tests. */
export interface Channel<Out, In> {
  /** Sends unless the channel is closed (a message to a process that is gone is dropped). */
  send(msg: Out): void;
  onMessage(listener: (msg: In) => void): () => void;
}

/** The worker's end: its own process's IPC channel to the primary. */
export function processChannel(): Channel<WorkerMessage, PrimaryMessage> {
  return {
    send(msg) {
      if (!process.connected || !process.send) return;
      // With a callback, a send that fails (the primary just went away) is reported here, not thrown.
      process.send(msg, undefined, {}, () => undefined);
    },
    onMessage(listener) {
      const handler = (msg: unknown) => {
        if (isPrimaryMessage(msg)) listener(msg);
      };
      process.on('message', handler);
      return () => process.off('message', handler);
    },
  };
}
