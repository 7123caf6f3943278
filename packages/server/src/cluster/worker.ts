import cluster from 'node:cluster';
import type { FastifyBaseLogger } from 'fastify';
import { AggregatorRegistry } from 'prom-client';
import type { Config } from '../config/config.js';
import { createLatchkey, type Latchkey } from '../server.js';
import { createLocalBus } from '../verify/invalidation.js';
import { createRelayedBus } from './invalidation-relay.js';
import { processChannel } from './messages.js';
import { createPrimaryRpc } from './rpc.js';
import { primaryLimitStore } from './shared-limits.js';

/** How long a worker may take to stop (finish requests, flush usage) before it exits anyway. */
export const WORKER_STOP_MS = 10_000;

/**
 * One worker of `latchkey serve --workers N`: the whole app, listening on the port the primary shares.
 * What must hold across workers goes through the primary: cache invalidations on SQLite (on PostgreSQL
 * each worker LISTENs itself), limit counters without Redis, and /metrics. It stops — finishing its
 * requests and flushing its usage counts — when the primary says so, on SIGTERM/SIGINT, and when the
 * primary is gone (the IPC channel closes), so a killed primary leaves no worker behind.
 */
export async function runWorker(config: Config, baseLogger: FastifyBaseLogger): Promise<void> {
  const workerId = cluster.worker?.id ?? 0;
  const logger = baseLogger.child({ worker: workerId });
  const channel = processChannel();
  let lk: Latchkey | null = null;
  let stopping = false;

  const stop = (reason: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ reason }, 'worker stopping');
    setTimeout(() => {
      logger.error({ reason }, `worker did not stop within ${WORKER_STOP_MS / 1000} s: exiting anyway`);
      process.exit(1);
    }, WORKER_STOP_MS).unref();
    (lk?.close() ?? Promise.resolve()).then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'worker shutdown failed');
        process.exit(1);
      },
    );
  };
  // Listening before anything else: a stop request or a relayed invalidation may come at any time.
  channel.onMessage((msg) => {
    if (msg.type === 'latchkey:shutdown') stop('asked by the primary');
  });
  process.on('disconnect', () => stop('the primary is gone'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));

  const rpc = createPrimaryRpc(channel, 2000);
  const local = createLocalBus();
  const bus = config.databaseUrl.startsWith('sqlite:')
    ? createRelayedBus(local, channel, workerId, (expected, received) =>
        logger.warn({ expected, received }, 'missed relayed invalidations: dropping the whole cache'),
      )
    : local;
  try {
    lk = await createLatchkey(config, logger, {
      bus,
      migrate: false,
      worker: {
        limits: (space) => primaryLimitStore(rpc, space),
        metrics: async () => {
          try {
            return String(await rpc.request({ type: 'latchkey:metrics' }, 10_000));
          } catch (err) {
            // A worker being replaced may not answer in time: this worker's own metrics beat none.
            logger.warn({ err }, "cluster metrics unavailable: serving this worker's only");
            return lk ? lk.metrics.registry.metrics() : '';
          }
        },
      },
    });
  } catch (err) {
    logger.error({ err }, 'worker failed to start');
    process.exit(1);
  }
  if (stopping) return; // asked to stop while starting: stop() closes it
  // The primary's AggregatorRegistry asks every worker for these when /metrics is served: constructing
  // one here is what makes prom-client answer those requests in this worker.
  new AggregatorRegistry();
  AggregatorRegistry.setRegistries([lk.metrics.registry]);
  try {
    await lk.app.listen({ port: config.port, host: config.host });
  } catch (err) {
    logger.error({ err }, 'worker cannot listen');
    process.exit(1);
  }
  logger.info('worker listening');
}
