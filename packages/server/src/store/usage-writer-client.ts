import { Worker } from 'node:worker_threads';
import type { UsageBatch, UsageWriter, UsageWriterOptions } from './queries/usage.js';

export interface UsageThreadRequest {
  id: number;
  batch: UsageBatch;
}
/** `error`: the batch's transaction failed and rolled back (its message; the thread keeps running). */
export interface UsageThreadReply {
  id: number;
  error?: string;
}

/**
 * The compiled thread entry. Resolved from this file's own place so that it is the same file whether this
 * module runs compiled (dist/store) or from its TypeScript source (src/store, under Vitest): a worker
 * thread cannot load TypeScript, and `npm run build` comes before every test run.
 */
const THREAD_ENTRY = new URL('../../dist/store/usage-writer-thread.js', import.meta.url);

/**
 * A usage writer whose transactions run in a worker thread on a connection of its own, so that the
 * main thread (every verification) never waits while a chunk is written. One batch at a time in order;
 * a batch that fails rejects with the thread's error (its transaction rolled back). A thread that dies
 * fails what it held and is started again on the next batch.
 */
export function createUsageWriterThread(path: string, opts: UsageWriterOptions = {}): UsageWriter {
  let thread: Worker | null = null;
  let nextId = 1;
  const waiting = new Map<number, { resolve: () => void; reject: (err: Error) => void }>();

  function failAll(err: Error): void {
    for (const w of waiting.values()) w.reject(err);
    waiting.clear();
  }

  function started(): Worker {
    if (thread) return thread;
    // A small heap: it holds one batch of a few hundred tokens at a time.
    const t = new Worker(THREAD_ENTRY, {
      workerData: { path, retentionDays: opts.retentionDays },
      resourceLimits: { maxOldGenerationSizeMb: 64, maxYoungGenerationSizeMb: 8 },
    });
    // Idle between flushes: it must not keep a process alive that is otherwise done.
    t.unref();
    t.on('message', ({ id, error }: UsageThreadReply) => {
      const w = waiting.get(id);
      waiting.delete(id);
      if (error === undefined) w?.resolve();
      else w?.reject(new Error(error));
    });
    t.on('error', (err) => {
      if (thread === t) thread = null;
      failAll(err);
    });
    t.on('exit', (code) => {
      if (thread === t) thread = null;
      failAll(new Error(`usage writer thread exited (${code})`));
    });
    thread = t;
    return t;
  }

  // Started with the server, not at the first flush: a thread that cannot start says so at once, and its
  // fixed memory is part of the process from the beginning rather than growth under load.
  started();
  return {
    runsIn: 'worker-thread',
    applyUsage(batch) {
      if (batch.size === 0) return Promise.resolve();
      const id = nextId++;
      const t = started();
      return new Promise<void>((resolve, reject) => {
        waiting.set(id, { resolve, reject });
        t.postMessage({ id, batch } satisfies UsageThreadRequest);
      });
    },
    async close() {
      const t = thread;
      thread = null;
      if (!t) return;
      // The recorder's close awaited its last batch: nothing is waiting, so ending the thread loses nothing.
      await t.terminate();
    },
  };
}
