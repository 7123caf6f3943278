import { EventEmitter } from 'node:events';

/**
 * What changed, in terms the verification cache understands. Published after the change commits;
 * the cache drops every entry the event could affect. A later transport (PostgreSQL LISTEN/NOTIFY)
 * carries the same events between instances.
 */
export type InvalidationEvent =
  | { kind: 'token'; tokenId: string; hash: string; imported?: boolean }
  | { kind: 'service_account'; serviceAccountId: string }
  | { kind: 'role'; roleId: string }
  | { kind: 'member'; orgId: string; userId: string }
  | { kind: 'org'; orgId: string }
  /** Drop everything (e.g. the cross-instance feed was interrupted). */
  | { kind: 'all' };

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
