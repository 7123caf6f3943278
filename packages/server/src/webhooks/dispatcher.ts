import { newId } from '../domain/ids.js';
import { retryDelaySeconds } from '../domain/webhook-events.js';
import type { Clock } from '../services/context.js';
import type { WebhookDeliveryRecord, WebhookEndpointRecord } from '../store/queries/webhooks.js';
import type { Store } from '../store/store.js';
import { sendWebhook, signatureHeader, type SendOptions } from './send.js';

export interface DispatcherOptions {
  store: Store;
  clock: Clock;
  allowInsecure: boolean;
  timeoutMs: number;
  /** Deliveries in flight at once, per instance. */
  concurrency: number;
  /** How often to look for due deliveries when the last look found none. */
  pollMs: number;
  /** An endpoint failing for this long on end is disabled (`onFailingTooLong`). */
  disableAfterMs: number;
  onFailingTooLong(endpoint: WebhookEndpointRecord): Promise<void>;
  onError(err: unknown): void;
  resolve?: SendOptions['resolve'];
}

export interface Dispatcher {
  /** Claims and sends what is due now; resolves with how many attempts were made. */
  runOnce(): Promise<number>;
  close(): Promise<void>;
}

/**
 * Delivers the outbox (webhooks/outbox.ts): claims due deliveries with a lease (store claimDue: on
 * PostgreSQL `FOR UPDATE SKIP LOCKED`, so every instance takes different rows), signs each with the
 * endpoint's secret(s) and POSTs it, then records the attempt and what it came to: delivered (2xx), tried
 * again after the back-off schedule's next delay (domain/webhook-events.ts), or given up on after the
 * last. At-least-once: a delivery whose instance died mid-attempt is taken again when its lease ends, with
 * the same `webhook-id` for the receiver to de-duplicate.
 */
export function createDispatcher(opts: DispatcherOptions): Dispatcher {
  const { store, clock } = opts;
  let inFlight = 0;
  let closed = false;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<number> | null = null;
  const leaseMs = opts.timeoutMs + 30_000;

  async function attempt(d: WebhookDeliveryRecord): Promise<void> {
    const endpoint = await store.webhooks.findById(d.endpointId);
    if (!endpoint || endpoint.deletedAt || endpoint.disabledAt) return; // its lease lapses; claimed again if re-enabled
    const now = clock.now();
    const secrets = [endpoint.secret];
    if (
      endpoint.previousSecret &&
      endpoint.previousSecretExpiresAt &&
      Date.parse(endpoint.previousSecretExpiresAt) > now.getTime()
    )
      secrets.push(endpoint.previousSecret);
    const result = await sendWebhook({
      url: endpoint.url,
      body: d.payload,
      headers: {
        'webhook-id': d.eventId,
        'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
        'webhook-signature': signatureHeader(secrets, d.eventId, now, d.payload),
      },
      timeoutMs: opts.timeoutMs,
      allowInsecure: opts.allowInsecure,
      resolve: opts.resolve,
    });
    const at = clock.now();
    const ok = result.statusCode !== null && result.statusCode >= 200 && result.statusCode < 300;
    const attempts = d.attempts + 1;
    const delay = retryDelaySeconds(attempts);
    await store.webhooks.finishAttempt(
      {
        id: newId('webhookAttempt'),
        deliveryId: d.id,
        at: at.toISOString(),
        statusCode: result.statusCode,
        latencyMs: result.latencyMs,
        error: result.error ?? (ok ? null : `HTTP ${result.statusCode}`),
      },
      ok
        ? { kind: 'delivered' }
        : delay === null
          ? { kind: 'failed' }
          : { kind: 'retry', retryAt: new Date(at.getTime() + delay * 1000).toISOString() },
    );
    if (ok) {
      await store.webhooks.endpointSucceeded(endpoint.id);
      return;
    }
    const since = await store.webhooks.endpointFailed(endpoint.id, at.toISOString());
    if (at.getTime() - Date.parse(since) >= opts.disableAfterMs) await opts.onFailingTooLong(endpoint);
  }

  async function runOnce(): Promise<number> {
    const room = opts.concurrency - inFlight;
    if (room <= 0 || closed) return 0;
    const now = clock.now();
    const claimed = await store.webhooks.claimDue(
      now.toISOString(),
      new Date(now.getTime() + leaseMs).toISOString(),
      room,
    );
    inFlight += claimed.length;
    await Promise.all(
      claimed.map((d) =>
        attempt(d)
          .catch(opts.onError)
          .finally(() => {
            inFlight -= 1;
          }),
      ),
    );
    return claimed.length;
  }

  function schedule(ms: number): void {
    if (closed) return;
    timer = setTimeout(() => {
      running = runOnce()
        .catch((err: unknown) => {
          opts.onError(err);
          return 0;
        })
        .then((n) => {
          running = null;
          // A full batch: more may be waiting.
          schedule(n >= opts.concurrency ? 1 : opts.pollMs);
          return n;
        });
    }, ms);
    timer.unref();
  }
  // pollMs 0: no timer (tests call runOnce).
  if (opts.pollMs > 0) schedule(opts.pollMs);

  return {
    runOnce,
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
