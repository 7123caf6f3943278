import type { InvalidationEvent } from '../domain/invalidation-event.js';
import type { InvalidationBus } from '../verify/invalidation.js';
import type { Channel, PrimaryMessage, WorkerMessage } from './messages.js';

/**
 * Cache invalidation between the workers of one `serve --workers` on SQLite (on PostgreSQL every worker
 * has its own LISTEN feed, like any instance). A worker publishes a committed change on its local bus and
 * sends the events to the primary; the primary numbers them and sends them to every worker, which applies
 * those of other workers as remote events — applied here, never sent on again, so nothing loops.
 */

export interface RelayedBus extends InvalidationBus {
  /** Stops listening to the primary. */
  close(): void;
}

/**
 * The worker's side: `local` plus the primary. A gap in the primary's numbering (a relayed message this
 * worker never received) drops the whole cache — whatever it missed is then re-read from the database.
 */
export function createRelayedBus(
  local: InvalidationBus,
  channel: Channel<WorkerMessage, PrimaryMessage>,
  workerId: number,
  onGap?: (expected: number, received: number) => void,
): RelayedBus {
  // Numbers are adopted from the first message heard: a worker forked later starts with an empty cache,
  // so what was relayed before it listened cannot concern it.
  let lastSeq: number | null = null;
  const stop = channel.onMessage((msg) => {
    if (msg.type !== 'latchkey:invalidated') return;
    const expected = lastSeq === null ? msg.seq : lastSeq + 1;
    lastSeq = msg.seq;
    if (msg.seq !== expected) {
      onGap?.(expected, msg.seq);
      local.deliverRemote([{ kind: 'all' }]);
    } else if (msg.from !== workerId) {
      local.deliverRemote(msg.events);
    }
  });
  return {
    publish(events) {
      local.publish(events);
      if (events.length > 0) channel.send({ type: 'latchkey:invalidate', events: [...events] });
    },
    deliverRemote: (events) => local.deliverRemote(events),
    subscribe: (listener) => local.subscribe(listener),
    close: stop,
  };
}

/** The primary's side: numbers each worker's events and sends them to every worker (`broadcast`). */
export function createInvalidationRelay(broadcast: (msg: PrimaryMessage) => void) {
  let seq = 0;
  return {
    relay(from: number, events: InvalidationEvent[]): void {
      seq += 1;
      broadcast({ type: 'latchkey:invalidated', seq, from, events });
    },
    /** The last number sent. */
    seq: () => seq,
  };
}
