import pg from 'pg';
import type { FastifyBaseLogger } from 'fastify';
import { INVALIDATION_CHANNEL, instanceId } from '../store/instance.js';
import type { CachedLookup } from './cache.js';
import type { InvalidationEvent } from '../domain/invalidation-event.js';
import type { InvalidationBus } from './invalidation.js';

/** What the feed uses of a pg.Client. */
export type FeedClient = Pick<pg.Client, 'connect' | 'query' | 'end' | 'on' | 'removeAllListeners'>;

/**
 * Ends a connection this feed no longer listens to. Its socket may still report an error after this (the
 * server going away mid-close): an `error` event with no listener would throw and end the process, so a
 * no-op listener stays in place of the feed's own.
 */
function discard(c: FeedClient): Promise<void> {
  c.removeAllListeners();
  c.on('error', () => undefined);
  return c.end().catch(() => undefined);
}

export interface FeedStatus {
  listening: boolean;
  reconnects: number;
}

/**
 * Carries invalidations between instances over PostgreSQL LISTEN/NOTIFY. Changes NOTIFY inside their own
 * transaction (see Store.notifyInvalidation), so other instances hear of them exactly on commit.
 *
 * If the LISTEN connection drops, this instance can no longer hear about changes: it flushes its cache and
 * serves from the database only (cache bypass) until it is listening again — never a stale allow.
 */
export function startInvalidationFeed(deps: {
  connectionString: string;
  bus: InvalidationBus;
  lookup: CachedLookup;
  logger: FastifyBaseLogger;
  retryMs?: number;
  /** The LISTEN connection (tests pass a fake to drive its events). */
  newClient?: (connectionString: string) => FeedClient;
}): { status(): FeedStatus; close(): Promise<void> } {
  const retryMs = deps.retryMs ?? 500;
  const newClient =
    deps.newClient ??
    ((connectionString: string) =>
      new pg.Client({ connectionString, keepAlive: true, connectionTimeoutMillis: 5000 }));
  let client: FeedClient | null = null;
  let closed = false;
  let listening = false;
  let reconnects = 0;
  let timer: NodeJS.Timeout | null = null;

  const down = (reason: string, err?: unknown) => {
    if (listening)
      deps.logger.warn({ err, reason }, 'invalidation feed lost: serving from the database only');
    listening = false;
    deps.lookup.setBypass(true);
    deps.bus.deliverRemote([{ kind: 'all' }]);
    const c = client;
    client = null;
    if (c) void discard(c);
    if (!closed && !timer) timer = setTimeout(() => void connect(), retryMs);
  };

  async function connect(): Promise<void> {
    timer = null;
    if (closed) return;
    const c = newClient(deps.connectionString);
    c.on('error', (err) => down('connection error', err));
    c.on('end', () => {
      if (client === c) down('connection ended');
    });
    c.on('notification', (msg) => {
      if (msg.channel !== INVALIDATION_CHANNEL || !msg.payload) return;
      try {
        const { from, events } = JSON.parse(msg.payload) as { from: string; events: InvalidationEvent[] };
        if (from !== instanceId) deps.bus.deliverRemote(events);
      } catch (err) {
        deps.logger.error({ err }, 'unreadable invalidation message: flushing the cache');
        deps.bus.deliverRemote([{ kind: 'all' }]);
      }
    });
    try {
      await c.connect();
      await c.query(`LISTEN ${INVALIDATION_CHANNEL}`);
    } catch (err) {
      await discard(c);
      if (!closed && !timer) timer = setTimeout(() => void connect(), retryMs);
      if (listening) down('connect failed', err);
      return;
    }
    if (closed) {
      await discard(c);
      return;
    }
    client = c;
    // Anything may have changed while we were not listening: start from an empty cache.
    deps.bus.deliverRemote([{ kind: 'all' }]);
    deps.lookup.setBypass(false);
    if (reconnects > 0 || !listening) deps.logger.info({ reconnects }, 'invalidation feed listening');
    listening = true;
    reconnects += 1;
  }

  // Until the first LISTEN succeeds, no cache at all.
  deps.lookup.setBypass(true);
  void connect();

  return {
    status: () => ({ listening, reconnects: Math.max(0, reconnects - 1) }),
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      const c = client;
      client = null;
      if (c) await discard(c);
    },
  };
}
