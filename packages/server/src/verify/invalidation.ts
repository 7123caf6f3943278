import { EventEmitter } from 'node:events';
import type { InvalidationEvent } from '../domain/invalidation-event.js';

export interface InvalidationBus {
  /** Events of changes made by this instance (other instances learn of them through PostgreSQL). */
  publish(events: readonly InvalidationEvent[]): void;
  /** Events received from another instance: applied here, never sent on again. */
  deliverRemote(events: readonly InvalidationEvent[]): void;
  subscribe(listener: (event: InvalidationEvent, meta: { remote: boolean }) => void): () => void;
}

export function createLocalBus(): InvalidationBus {
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0);
  return {
    publish(events) {
      for (const e of events) emitter.emit('event', e, { remote: false });
    },
    deliverRemote(events) {
      for (const e of events) emitter.emit('event', e, { remote: true });
    },
    subscribe(listener) {
      emitter.on('event', listener);
      return () => emitter.off('event', listener);
    },
  };
}
