import { describe, expect, it } from 'vitest';
import { createInvalidationRelay, createRelayedBus } from '../../src/cluster/invalidation-relay.js';
import type { Channel, PrimaryMessage, WorkerMessage } from '../../src/cluster/messages.js';
import { createPrimaryRpc } from '../../src/cluster/rpc.js';
import { createLimitHost, primaryLimitStore } from '../../src/cluster/shared-limits.js';
import { createCredentialLimits } from '../../src/services/credential-limits.js';
import { createFailureLimiter } from '../../src/verify/failure-limiter.js';
import type { InvalidationEvent } from '../../src/domain/invalidation-event.js';
import { createLocalBus } from '../../src/verify/invalidation.js';
import { waitUntil } from '../helpers/wait.js';

/**
 * The IPC pieces of `serve --workers` in one process: fake channels stand for the workers' IPC, and a
 * tiny primary routes their messages the way cluster/primary.ts does.
 */
function fakeCluster(workers: number) {
  const toWorker = new Map<number, Set<(msg: PrimaryMessage) => void>>();
  const sent: WorkerMessage[] = [];
  const host = createLimitHost();
  const send = (id: number, msg: PrimaryMessage) =>
    queueMicrotask(() => toWorker.get(id)?.forEach((l) => l(msg)));
  const relay = createInvalidationRelay((msg) => {
    for (let id = 1; id <= workers; id++) send(id, msg);
  });
  const channel = (id: number): Channel<WorkerMessage, PrimaryMessage> => {
    toWorker.set(id, new Set());
    return {
      send(msg) {
        sent.push(msg);
        queueMicrotask(() => {
          if (msg.type === 'latchkey:invalidate') relay.relay(id, msg.events);
          else if (msg.type === 'latchkey:limit') {
            void host.handle(msg).then((value) => send(id, { type: 'latchkey:reply', id: msg.id, value }));
          }
        });
      },
      onMessage(listener) {
        toWorker.get(id)!.add(listener);
        return () => toWorker.get(id)!.delete(listener);
      },
    };
  };
  return { channel, sent, send, relay };
}

/**
 * Lets everything already queued run: the fake channels deliver by queueMicrotask, so one macrotask turn
 * drains them. No wall-clock wait; used where a test asserts what has (or has not) arrived by then.
 */
const settle = () => new Promise((r) => setTimeout(r, 0));
const token = (n: number): InvalidationEvent => ({ kind: 'token', tokenId: `tok_${n}`, hash: `h${n}` });

describe('invalidation relay between workers', () => {
  it('delivers one worker’s events to every other worker once, as remote events, and never sends them on', async () => {
    const cluster = fakeCluster(3);
    const heard = [1, 2, 3].map(() => [] as { event: InvalidationEvent; remote: boolean }[]);
    const buses = [1, 2, 3].map((id, i) => {
      const bus = createRelayedBus(createLocalBus(), cluster.channel(id), id);
      bus.subscribe((event, meta) => heard[i]!.push({ event, remote: meta.remote }));
      return bus;
    });
    buses[0]!.publish([token(1)]);
    await settle();
    expect(heard[0]).toEqual([{ event: token(1), remote: false }]);
    expect(heard[1]).toEqual([{ event: token(1), remote: true }]);
    expect(heard[2]).toEqual([{ event: token(1), remote: true }]);
    // Only the publishing worker sent anything: applying a relayed event is not publishing it.
    expect(cluster.sent).toEqual([{ type: 'latchkey:invalidate', events: [token(1)] }]);
  });

  it('drops the whole cache when it sees a gap in the numbering, and adopts the first number it hears', async () => {
    const cluster = fakeCluster(1);
    const heard: InvalidationEvent[] = [];
    const gaps: [number, number][] = [];
    const bus = createRelayedBus(createLocalBus(), cluster.channel(1), 1, (expected, received) =>
      gaps.push([expected, received]),
    );
    bus.subscribe((e) => heard.push(e));
    cluster.send(1, { type: 'latchkey:invalidated', seq: 7, from: 2, events: [token(7)] });
    cluster.send(1, { type: 'latchkey:invalidated', seq: 8, from: 2, events: [token(8)] });
    cluster.send(1, { type: 'latchkey:invalidated', seq: 10, from: 2, events: [token(10)] });
    cluster.send(1, { type: 'latchkey:invalidated', seq: 11, from: 2, events: [token(11)] });
    await settle();
    expect(heard).toEqual([token(7), token(8), { kind: 'all' }, token(11)]);
    expect(gaps).toEqual([[9, 10]]);
  });
});

describe('limit counters kept by the primary', () => {
  it('add up across workers: two workers share one count', async () => {
    const cluster = fakeCluster(2);
    const [a, b] = [1, 2].map((id) => primaryLimitStore(createPrimaryRpc(cluster.channel(id), 1000), 'test'));
    expect(await a!.incr('k', 60_000)).toBe(1);
    expect(await b!.incr('k', 60_000)).toBe(2);
    expect(await a!.count('k')).toBe(2);
    expect(await b!.claim('slot', 60_000)).toBeNull();
    expect(await a!.claim('slot', 60_000)).toBeGreaterThan(0);
    await a!.put('known', 60_000);
    expect(await b!.has('known')).toBe(true);
    await b!.remove('known');
    expect(await a!.has('known')).toBe(false);
  });

  it('sign-in limits hold across workers: the per-(account, address) limit counts both workers’ attempts', async () => {
    const cluster = fakeCluster(2);
    const limits = [1, 2].map((id) => {
      const rpc = createPrimaryRpc(cluster.channel(id), 1000);
      return createCredentialLimits({
        addressLimit: 3,
        slowdownAfter: 100,
        slowdownIntervalMs: 1000,
        windowMs: 15 * 60_000,
        shared: (space) => primaryLimitStore(rpc, space),
      });
    });
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push((await limits[i % 2]!.admit('owner@x.test', '203.0.113.9')).ok);
    expect(answers).toEqual([true, true, true, false]);
  });

  it('the invalid-token limit learns the shared count: a worker that saw few failures is limited too', async () => {
    const cluster = fakeCluster(2);
    const [a, b] = [1, 2].map((id) => {
      const rpc = createPrimaryRpc(cluster.channel(id), 1000);
      return createFailureLimiter({
        limit: 3,
        windowMs: 60_000,
        shared: primaryLimitStore(rpc, 'verify-failures'),
        // One fixed instant: the shared count is kept per clock-aligned minute, and a run that crossed a
        // minute between the two workers' failures would count them in different windows.
        now: () => 1_800_000_000_000,
      });
    });
    for (let i = 0; i < 3; i++) a!.recordFailure('198.51.100.7');
    await settle();
    expect(b!.isLimited('198.51.100.7')).toBe(false);
    b!.recordFailure('198.51.100.7'); // the fourth failure overall, the first on b
    // The shared count comes back through the primary (a request and its reply).
    await waitUntil(() => b!.isLimited('198.51.100.7'), 1000);
  });

  it('a primary that does not answer is a rejected request, so callers fall back', async () => {
    const silent: Channel<WorkerMessage, PrimaryMessage> = {
      send: () => undefined,
      onMessage: () => () => undefined,
    };
    const store = primaryLimitStore(createPrimaryRpc(silent, 20), 'test');
    await expect(store.incr('k', 1000)).rejects.toThrow(/did not answer/);
  });
});
