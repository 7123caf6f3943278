import cluster, { type Worker } from 'node:cluster';
import type { FastifyBaseLogger } from 'fastify';
import { AggregatorRegistry } from 'prom-client';
import { RateLimiterClusterMaster } from 'rate-limiter-flexible';
import { redactedDatabaseUrl, startupBanner } from '../cli/startup-banner.js';
import type { Config } from '../config/config.js';
import { ensureCookieSecret } from '../server.js';
import { issueSetupLink } from '../services/setup.js';
import { openDatabase } from '../store/dialect.js';
import { migrateToLatest } from '../store/migrate.js';
import { createStore } from '../store/store.js';
import { createInvalidationRelay } from './invalidation-relay.js';
import { isWorkerMessage, type PrimaryMessage } from './messages.js';
import { createLimitHost } from './shared-limits.js';

/** How long the workers get to stop (finish requests, flush usage) before they are killed. */
export const PRIMARY_STOP_MS = 10_000;
/** A worker that dies younger than this counts as crash-looping: its replacement waits longer each time. */
const QUICK_CRASH_MS = 5_000;

/**
 * Everything that must happen once, before any worker starts: migrations, the cookie secret (workers
 * would otherwise race to create different ones), and the one-time setup link, which only the primary
 * prints.
 */
async function prepareDatabase(config: Config): Promise<string | null> {
  const handle = openDatabase(config.databaseUrl, { poolMax: 1 });
  try {
    await migrateToLatest(handle);
    const store = createStore(handle);
    await ensureCookieSecret(store);
    return await issueSetupLink(store, config.publicUrl);
  } finally {
    await handle.close();
  }
}

/**
 * The primary of `latchkey serve --workers N`: prepares the database, forks N workers that share the
 * listening socket (node:cluster), prints the banner once they all listen, and then only coordinates —
 * it relays invalidations, keeps the limit counters (without Redis), aggregates /metrics, re-forks a
 * worker that crashes, and on SIGTERM/SIGINT stops every worker (exit 0 when all stopped cleanly within
 * PRIMARY_STOP_MS; those still running then are killed and the exit code is 1). It serves no HTTP itself.
 */
export async function runPrimary(config: Config, logger: FastifyBaseLogger): Promise<void> {
  const setupLink = await prepareDatabase(config);
  // Before forking: rate-limiter-flexible's workers register with it as they start.
  new RateLimiterClusterMaster();
  const aggregator = new AggregatorRegistry();
  const limits = createLimitHost();
  const alive = new Set<Worker>();
  const listened = new Set<number>();

  const send = (worker: Worker, msg: PrimaryMessage) => {
    if (worker.isConnected()) worker.send(msg, undefined, () => undefined);
  };
  const relay = createInvalidationRelay((msg) => {
    for (const worker of alive) send(worker, msg);
  });
  const reply = (worker: Worker, id: number, work: Promise<unknown>) =>
    work.then(
      (value) => send(worker, { type: 'latchkey:reply', id, value }),
      (err: unknown) => send(worker, { type: 'latchkey:reply', id, error: String(err) }),
    );

  cluster.on('message', (worker, msg: unknown) => {
    if (!isWorkerMessage(msg)) return;
    switch (msg.type) {
      case 'latchkey:invalidate':
        relay.relay(worker.id, msg.events);
        break;
      case 'latchkey:limit':
        void reply(worker, msg.id, limits.handle(msg));
        break;
      case 'latchkey:metrics':
        void reply(worker, msg.id, aggregator.clusterMetrics());
        break;
    }
  });

  let bannerPrinted = false;
  let stopping = false;
  let exitCode = 0;
  let quickCrashes = 0;

  const finishIfDone = () => {
    if (stopping && alive.size === 0) {
      logger.info({ exitCode }, 'all workers stopped');
      process.exit(exitCode);
    }
  };

  const stopAll = (reason: string, code = 0) => {
    if (stopping) return;
    stopping = true;
    exitCode = Math.max(exitCode, code);
    logger.info({ reason, workers: alive.size }, 'shutting down: stopping the workers');
    for (const worker of alive) send(worker, { type: 'latchkey:shutdown' });
    setTimeout(() => {
      for (const worker of alive) {
        logger.error(
          { worker: worker.id, workerPid: worker.process.pid },
          `worker did not stop within ${PRIMARY_STOP_MS / 1000} s: killing it`,
        );
        worker.process.kill('SIGKILL');
      }
      exitCode = 1;
    }, PRIMARY_STOP_MS).unref();
    finishIfDone();
  };

  const fork = () => {
    // The resolved count, so that a worker reading the environment never disagrees with --workers.
    const worker = cluster.fork({ LATCHKEY_WORKERS: String(config.workers) });
    const bornAt = Date.now();
    alive.add(worker);
    logger.info({ worker: worker.id, workerPid: worker.process.pid }, 'worker started');
    worker.on('listening', (address) => {
      listened.add(worker.id);
      if (bannerPrinted || listened.size < config.workers) return;
      bannerPrinted = true;
      logger.info(
        {
          address: `http://${config.host}:${address.port}`,
          workers: config.workers,
          database: redactedDatabaseUrl(config.databaseUrl),
        },
        'latchkey listening',
      );
      process.stdout.write(startupBanner(config.publicUrl, setupLink));
    });
    worker.on('exit', (code, signal) => {
      alive.delete(worker);
      if (stopping) {
        if (code !== 0) exitCode = 1;
        finishIfDone();
        return;
      }
      if (!bannerPrinted && !listened.has(worker.id)) {
        // It never started (the port is taken, the database is unreachable): its replacement would not either.
        logger.error(
          { worker: worker.id, workerPid: worker.process.pid, code, signal },
          'a worker failed to start: stopping',
        );
        stopAll('a worker failed to start', 1);
        return;
      }
      quickCrashes = Date.now() - bornAt < QUICK_CRASH_MS ? quickCrashes + 1 : 0;
      const delayMs = Math.min(PRIMARY_STOP_MS, 100 * 2 ** quickCrashes);
      logger.error(
        { worker: worker.id, workerPid: worker.process.pid, code, signal, restartInMs: delayMs },
        'worker exited unexpectedly: starting a new one',
      );
      setTimeout(() => {
        if (!stopping) fork();
      }, delayMs);
    });
  };

  process.on('SIGTERM', () => stopAll('SIGTERM'));
  process.on('SIGINT', () => stopAll('SIGINT'));
  for (let i = 0; i < config.workers; i++) fork();
}
