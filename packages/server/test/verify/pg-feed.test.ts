import { EventEmitter } from 'node:events';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { InvalidationEvent } from '../../src/domain/invalidation-event.js';
import type { CachedLookup } from '../../src/verify/cache.js';
import type { InvalidationBus } from '../../src/verify/invalidation.js';
import { startInvalidationFeed, type FeedClient } from '../../src/verify/pg-feed.js';
import { waitUntil } from '../helpers/wait.js';

/** A LISTEN connection whose events the test raises itself, as pg.Client raises them. */
class FakeClient extends EventEmitter {
  ended = false;
  connect = () => Promise.resolve();
  query = () => Promise.resolve({ rows: [] });
  end = () => {
    this.ended = true;
    return Promise.resolve();
  };
}

/** A feed on fake connections; `prepare` may change the n-th connection (0-based) before it is used. */
function feedWith(clients: FakeClient[], prepare: (c: FakeClient, n: number) => void = () => undefined) {
  const bypass: boolean[] = [];
  const delivered: InvalidationEvent[][] = [];
  const feed = startInvalidationFeed({
    connectionString: 'postgres://unused',
    bus: {
      deliverRemote: (events: InvalidationEvent[]) => delivered.push(events),
    } as unknown as InvalidationBus,
    lookup: { setBypass: (b: boolean) => bypass.push(b) } as unknown as CachedLookup,
    logger: pino({ level: 'silent' }),
    retryMs: 1,
    newClient: () => {
      const c = new FakeClient();
      prepare(c, clients.length);
      clients.push(c);
      return c as unknown as FeedClient;
    },
  });
  return { feed, bypass, delivered };
}

describe('invalidation feed (PostgreSQL LISTEN)', () => {
  it('a dropped connection that reports another error while closing does not end the process', async () => {
    const clients: FakeClient[] = [];
    const { feed, bypass } = feedWith(clients);
    await waitUntil(() => feed.status().listening, 1000, 1);
    const first = clients[0]!;

    // PostgreSQL stopping: the server's "terminating connection", then the socket's reset while it closes.
    first.emit('error', new Error('terminating connection due to administrator command'));
    expect(feed.status().listening).toBe(false);
    expect(bypass.at(-1)).toBe(true);
    expect(() => first.emit('error', new Error('read ECONNRESET'))).not.toThrow();
    expect(first.ended).toBe(true);

    // It reconnects on a new connection and uses the cache again.
    await waitUntil(() => feed.status().listening, 1000, 1);
    expect(clients.length).toBe(2);
    expect(bypass.at(-1)).toBe(false);
    await feed.close();
    expect(() => clients[1]!.emit('error', new Error('late'))).not.toThrow();
  });

  it('a failed connect leaves no connection that can throw later', async () => {
    const clients: FakeClient[] = [];
    const { feed } = feedWith(clients, (c, n) => {
      if (n === 0) c.connect = () => Promise.reject(new Error('connect ECONNREFUSED'));
    });
    await waitUntil(() => feed.status().listening, 1000, 1);
    expect(clients.length).toBe(2);
    expect(clients[0]!.ended).toBe(true);
    expect(() => clients[0]!.emit('error', new Error('socket closed'))).not.toThrow();
    await feed.close();
  });
});
