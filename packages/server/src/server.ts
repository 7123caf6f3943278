import type { FastifyBaseLogger } from 'fastify';
import { randomBase62 } from './domain/base62.js';
import type { Config } from './config/config.js';
import { buildApp } from './http/app.js';
import type { App } from './http/route-context.js';
import { systemClock, type Clock } from './services/context.js';
import { createServices, type Services } from './services/index.js';
import { createInvitationLimits } from './services/invitation-limits.js';
import { createMailer } from './services/mailer.js';
import { openDatabase, type DatabaseHandle } from './store/dialect.js';
import { migrateToLatest } from './store/migrate.js';
import { createTokenHashScan, createTokenLookup } from './store/queries/verify-lookup.js';
import { createStore, type Store } from './store/store.js';
import { createUsageWriter } from './store/queries/usage.js';
import { createLocalBus, type InvalidationBus } from './verify/invalidation.js';
import { createVerifier, type Verifier } from './verify/verifier.js';
import { createCachedLookup, type CacheOptions, type CachedLookup } from './verify/cache.js';
import { createLegacyGate } from './verify/legacy-gate.js';
import { createMetrics, type Metrics } from './verify/metrics.js';
import { createUsageRecorder, type UsageRecorder } from './verify/usage.js';
import { startInvalidationFeed } from './verify/pg-feed.js';
import { createFailureLimiter, type FailureLimiter } from './verify/failure-limiter.js';
import { createCredentialLimits } from './services/credential-limits.js';
import { createTokenPresence, type TokenPresence } from './verify/token-presence.js';
import type { LimitStore } from './services/limit-store.js';
import { Redis } from 'ioredis';
import { createRateLimits } from './verify/rate-limits.js';
import { createTokenLimits } from './verify/token-limits.js';
import { createQuotaSpender } from './store/queries/quotas.js';
import { createWebhookJobs, type WebhookJobs, type WebhookJobOptions } from './webhooks/jobs.js';

export interface Latchkey {
  app: App;
  services: Services;
  store: Store;
  verifier: Verifier;
  bus: InvalidationBus;
  handle: DatabaseHandle;
  lookup: CachedLookup;
  usage: UsageRecorder;
  metrics: Metrics;
  /** The cross-instance invalidation feed (PostgreSQL only). */
  feed: ReturnType<typeof startInvalidationFeed> | null;
  /** Per-address limit on invalid tokens presented to /verify and /forward-auth. */
  failureLimiter: FailureLimiter;
  /** Which token hashes may exist, so the failure limit never refuses a real token. */
  tokenPresence: TokenPresence;
  /** Webhook delivery and the notices (expiry, first use, exhausted limits). */
  webhooks: WebhookJobs;
  close(): Promise<void>;
}

/**
 * The composition root: database → migrations → store → services → verifier → HTTP app.
 * Everything is passed in; nothing is global, so tests build as many instances as they like.
 */
export interface LatchkeyOptions {
  clock?: Clock;
  cache?: Partial<CacheOptions>;
  usageFlushMs?: number;
  /** The invalidation bus to publish on (a cluster worker's relays to the other workers). */
  bus?: InvalidationBus;
  /** Bring the schema up to date first (default). A cluster worker's primary has already done it. */
  migrate?: boolean;
  /** Set in a `serve --workers` worker: what it shares with the other workers through the primary. */
  worker?: WorkerSharing;
  /** Webhook jobs' timing and name resolution (tests). */
  webhooks?: Partial<WebhookJobOptions>;
}

/** What a cluster worker shares through its primary (built by src/cluster/worker.ts). */
export interface WorkerSharing {
  /** Limit counters kept in the primary, for when there is no Redis: one store per space. */
  limits(space: string): LimitStore;
  /** The /metrics text for every worker, aggregated by the primary. */
  metrics(): Promise<string>;
}

/**
 * The cookie-signing secret, created on first start. Whoever starts first creates it: the cluster
 * primary does so before forking, so that workers never race to create different ones.
 */
export async function ensureCookieSecret(store: Store): Promise<string> {
  const existing = await store.settings.get('cookie_secret');
  if (existing) return existing;
  const created = randomBase62(48);
  await store.settings.set('cookie_secret', created);
  return created;
}

export async function createLatchkey(
  config: Config,
  logger: FastifyBaseLogger,
  opts: LatchkeyOptions = {},
): Promise<Latchkey> {
  const handle = openDatabase(config.databaseUrl, {
    poolMax: config.databasePoolMax,
    onPoolError: (err) => logger.warn({ err }, 'database connection lost'),
  });
  let redis: Redis | undefined;
  try {
    if (opts.migrate !== false) await migrateToLatest(handle);
    const store = createStore(handle);
    const bus = opts.bus ?? createLocalBus();
    const clock = opts.clock ?? systemClock;
    // The hot path reads the time as a number; only a test clock needs the Date round trip.
    const nowMs = clock === systemClock ? Date.now : () => clock.now().getTime();
    const mailer = createMailer(config.smtpUrl, config.mailFrom, (err) =>
      logger.warn({ err }, 'invitation e-mail not sent'),
    );
    // Shared counters (rate limits) live in Redis when REDIS_URL is set; in memory otherwise.
    redis = config.redisUrl
      ? new Redis(config.redisUrl, {
          maxRetriesPerRequest: 1,
          connectTimeout: 1000,
          enableOfflineQueue: false,
          lazyConnect: false,
        })
      : undefined;
    redis?.on('error', (err) =>
      logger.warn({ err }, 'redis unavailable: rate limits fall back to this instance'),
    );
    // Start with the connection up when Redis is there (without an offline queue, early counts would be
    // dropped); never wait long for it: limits work per instance meanwhile.
    if (redis && redis.status !== 'ready') {
      const connecting = redis;
      await new Promise<void>((resolve) => {
        const done = () => resolve();
        connecting.once('ready', done);
        setTimeout(done, 2000).unref();
      });
    }
    const invitationLimits = createInvitationLimits({
      perInviterPerHour: config.invitationsPerInviterPerHour,
      perOrgPerDay: config.invitationsPerOrgPerDay,
      redis,
      cluster: opts.worker !== undefined,
    });
    const services = createServices({ store, config, clock, bus, mailer, invitationLimits });
    await services.roles.syncBuiltins();
    const lookup = createCachedLookup(createTokenLookup(handle.db, handle.sqlite, handle.pool), bus, {
      maxEntries: config.verifyCacheEntries,
      ttlMs: config.verifyCacheTtlSeconds * 1000,
      ...(clock === systemClock ? {} : { now: nowMs }),
      ...opts.cache,
    });
    const legacyGate = await createLegacyGate(lookup, bus);
    const tokenPresence = await createTokenPresence({
      ...createTokenHashScan(handle.db),
      bus,
      onError: (err) =>
        logger.error({ err }, 'token presence filter reload failed; keeping the previous one'),
    });
    const metrics = createMetrics(
      () => lookup.stats(),
      opts.worker ? { exposition: opts.worker.metrics } : {},
    );
    const webhooks = createWebhookJobs({
      store,
      clock,
      config,
      mailer,
      onEndpointFailing: (endpoint) => services.webhookEndpoints.disableFailing(endpoint),
      onError: (err) => logger.error({ err }, 'webhook job failed; will retry'),
      ...opts.webhooks,
    });
    const usageWriter = createUsageWriter(handle, { retentionDays: config.usageRetentionDays });
    const usage = createUsageRecorder({
      store: usageWriter,
      intervalMs: opts.usageFlushMs ?? config.usageFlushSeconds * 1000,
      now: nowMs,
      onError: (err) => logger.error({ err }, 'usage flush failed; will retry'),
    });
    // Rate limits count in Redis (every instance), the cluster primary (this server's workers) or memory.
    const limits = createTokenLimits({
      rateLimits: createRateLimits({ redis, cluster: opts.worker !== undefined && !redis, now: nowMs }),
      spend: createQuotaSpender(handle),
      now: nowMs,
    });
    const verifier = createVerifier({
      limits,
      lookup,
      catalog: config.catalog,
      tokenPrefix: config.tokenPrefix,
      now: nowMs,
      foreignLookups: legacyGate.isOpen,
      onDecision: (result, seconds, req) => {
        metrics.observe(result, seconds);
        if (!result.valid) {
          // Refusals of a token that exists, by code (what the platform sees when "my site broke").
          if (result.identity) {
            usage.recordRefusal(result.identity.tokenId, result.code);
            if (result.code === 'rate_limited' || result.code === 'quota_exhausted')
              webhooks.notices.noteLimit(
                result.identity.org.id,
                result.identity.tokenId,
                result.code,
                result.code === 'rate_limited' ? result.rateLimit : result.quota,
              );
          }
          return;
        }
        usage.record(result.tokenId, result.origin, req.ip ?? null);
        // Report-only: what enforcing would have refused, and from where (the token page lists it).
        if (result.warnings)
          usage.recordWarnings(result.tokenId, result.warnings, req.origin, req.ip ?? null);
      },
      // Rotation with retire=on_first_use: the new value just verified, so the old one retires everywhere.
      onFirstUse: (tokenId, previousHash) => {
        services.tokenLifecycle
          .retireOnFirstUse(tokenId, previousHash)
          .catch((err: unknown) => logger.error({ err, tokenId }, 'retiring the previous secret failed'));
      },
    });
    const failureLimiter = createFailureLimiter({
      limit: config.verifyFailureLimit || Number.MAX_SAFE_INTEGER,
      windowMs: config.verifyFailureWindowSeconds * 1000,
      redis,
      shared: opts.worker?.limits('verify-failures'),
      now: nowMs,
    });
    const credentialLimits = createCredentialLimits({
      addressLimit: config.signInAddressLimit,
      slowdownAfter: config.signInSlowdownAfter,
      slowdownIntervalMs: config.signInSlowdownSeconds * 1000,
      windowMs: config.signInWindowSeconds * 1000,
      redis,
      shared: opts.worker?.limits,
      now: nowMs,
    });
    const feed =
      handle.dialect === 'postgres'
        ? startInvalidationFeed({ connectionString: config.databaseUrl, bus, lookup, logger })
        : null;
    const cookieSecret = await ensureCookieSecret(store);
    const app = await buildApp({
      config,
      services,
      verifier,
      metrics,
      logger,
      cookieSecret,
      feedStatus: () => feed?.status() ?? null,
      failureLimiter,
      credentialLimits,
      tokenPresence,
      redis,
    });
    return {
      app,
      services,
      store,
      verifier,
      bus,
      handle,
      lookup,
      usage,
      metrics,
      feed,
      failureLimiter,
      tokenPresence,
      webhooks,
      async close() {
        await app.close();
        await webhooks.close();
        await usage.close();
        await usageWriter.close();
        await feed?.close();
        redis?.disconnect();
        lookup.close();
        legacyGate.close();
        tokenPresence.close();
        await handle.close();
      },
    };
  } catch (e) {
    redis?.disconnect();
    await handle.close();
    throw e;
  }
}
