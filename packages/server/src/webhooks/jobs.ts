import type { Config } from '../config/config.js';
import type { Clock } from '../services/context.js';
import type { Mailer } from '../services/mailer.js';
import type { WebhookEndpointRecord } from '../store/queries/webhooks.js';
import type { Store } from '../store/store.js';
import { createDispatcher, type Dispatcher } from './dispatcher.js';
import { createNotices, type Notices } from './notices.js';
import type { SendOptions } from './send.js';

export interface WebhookJobOptions {
  /** How often the dispatcher looks for due deliveries. */
  pollMs: number;
  /** How often the notices look for new sources and exhausted limits. */
  sweepMs: number;
  /** How often the notices look at expiries. */
  expirySweepMs: number;
  /** Name resolution for deliveries (tests). */
  resolve?: SendOptions['resolve'];
  /** false: nothing runs on a timer (tests drive `runOnce`/`sweep` themselves). */
  timers: boolean;
}

export interface WebhookJobs {
  dispatcher: Dispatcher;
  notices: Notices;
  close(): Promise<void>;
}

/**
 * The background work of events out, per process: the dispatcher (webhooks/dispatcher.ts) and the notices
 * (webhooks/notices.ts) on timers that never keep the process alive. Every instance runs them; the store's
 * claims make each delivery and each notice one instance's.
 */
export function createWebhookJobs(
  opts: Partial<WebhookJobOptions> & {
    store: Store;
    clock: Clock;
    config: Config;
    mailer: Mailer | null | undefined;
    onEndpointFailing(endpoint: WebhookEndpointRecord): Promise<void>;
    onError(err: unknown): void;
  },
): WebhookJobs {
  const { store, clock, config } = opts;
  const timers = opts.timers ?? true;
  const dispatcher = createDispatcher({
    store,
    clock,
    allowInsecure: config.webhooksAllowInsecure,
    timeoutMs: config.webhookTimeoutSeconds * 1000,
    concurrency: config.webhookConcurrency,
    pollMs: timers ? (opts.pollMs ?? 1000) : 0,
    disableAfterMs: config.webhooksDisableAfterDays * 86_400_000,
    onFailingTooLong: opts.onEndpointFailing,
    onError: opts.onError,
    resolve: opts.resolve,
  });
  const notices = createNotices({
    store,
    clock,
    mailer: opts.mailer,
    expiryDays: config.expiryNoticeDays,
    publicUrl: config.publicUrl,
    onError: opts.onError,
  });
  const sweepMs = opts.sweepMs ?? 5000;
  const expiryEvery = Math.max(1, Math.round((opts.expirySweepMs ?? 60_000) / sweepMs));
  let sweeps = 0;
  let sweeping: Promise<unknown> | null = null;
  const sweepTimer = timers
    ? setInterval(() => {
        if (sweeping) return;
        sweeping = notices.sweep(sweeps++ % expiryEvery === 0).finally(() => {
          sweeping = null;
        });
      }, sweepMs)
    : null;
  sweepTimer?.unref();
  return {
    dispatcher,
    notices,
    async close() {
      if (sweepTimer) clearInterval(sweepTimer);
      await sweeping;
      await dispatcher.close();
    },
  };
}
