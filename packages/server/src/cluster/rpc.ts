import type { Channel, PrimaryMessage, WorkerMessage } from './messages.js';

type Request = WorkerMessage extends infer M ? (M extends { id: number } ? Omit<M, 'id'> : never) : never;

/**
 * A worker's requests to its primary (limit counters, aggregated metrics): each answered by a
 * `latchkey:reply` with the same id, or rejected after `timeoutMs` so a caller can fall back.
 */
export function createPrimaryRpc(channel: Channel<WorkerMessage, PrimaryMessage>, timeoutMs: number) {
  let nextId = 1;
  const pending = new Map<
    number,
    { resolve: (v: unknown) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }
  >();
  const stop = channel.onMessage((msg) => {
    if (msg.type !== 'latchkey:reply') return;
    const p = pending.get(msg.id);
    if (!p) return; // timed out already
    pending.delete(msg.id);
    clearTimeout(p.timer);
    if (msg.error !== undefined) p.reject(new Error(msg.error));
    else p.resolve(msg.value);
  });
  return {
    request(req: Request, timeout = timeoutMs): Promise<unknown> {
      const id = nextId++;
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(new Error(`the cluster primary did not answer ${req.type} within ${timeout} ms`));
        }, timeout);
        timer.unref();
        pending.set(id, { resolve, reject, timer });
        channel.send({ ...req, id } as WorkerMessage);
      });
    },
    close(): void {
      stop();
      for (const [, p] of pending) {
        clearTimeout(p.timer);
        p.reject(new Error('closed'));
      }
      pending.clear();
    },
  };
}

export type PrimaryRpc = ReturnType<typeof createPrimaryRpc>;
