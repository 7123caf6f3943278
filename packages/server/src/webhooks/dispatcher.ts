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
  /** How often to look for due deliveries (0: never on its own; tests call runOnce). */
  pollMs: number;
  /** An endpoint failing for this long on end is disabled (`onFailingTooLong`). */
  disableAfterMs: number;
  onFailingTooLong(endpoint: WebhookEndpointRecord): Promise<void>;
  onError(err: unknown): void;
  resolve?: SendOptions['resolve'];
}

export interface Dispatcher {
  /** Claims what is due now and sends it; resolves, with how many attempts it made, when they are done. */
  runOnce(): Promise<number>;
  close(): Promise<void>;
}

/**
 * Delivers the outbox (webhooks/outbox.ts): claims due deliveries with a lease (store claimDue: on
 * PostgreSQL `FOR UPDATE SKIP LOCKED`, so every instance takes different rows; fair between endpoints and
 * orgs), signs each with the endpoint's secret(s) and POSTs it, then records the attempt and what it came
 * to: delivered (2xx), tried again after the back-off schedule's next delay (domain/webhook-events.ts), or
 * given up on after the last. At-least-once: a delivery whose instance died mid-attempt is taken again when
 * its lease ends, with the same `webhook-id` for the receiver to de-duplicate.
 *
 * A pool: each attempt runs on its own, and a slot that frees up is filled at once — a receiver that hangs
 * until the timeout holds one slot, never the others.
 */
export function createDispatcher(opts: DispatcherOptions): Dispatcher {
  const { store, clock } = opts;
  const running = new Set<Promise<void>>();
  let closed = false;
  let timer: NodeJS.Timeout | null = null;
  let pumping: Promise<void> | null = null;
  let again = false;
  const leaseMs = opts.timeoutMs + 30_000;
  const caps = {
    perOrg: Math.max(1, Math.ceil(opts.concurrency / 2)),
    perEndpoint: Math.max(1, Math.min(4, Math.ceil(opts.concurrency / 2))),
  };

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
    const delay = retryDelaySeconds(d.attempts + 1);
    await store.webhooks.finishAttempt(
      {
        id: newId('webhookAttempt'),
        deliveryId: d.id,
        at: at.toISOString(),
        statusCode: result.statusCode,
        latencyMs: result.latencyMs,
        error: result.error ?? (ok ? null : `HTTP ${result.statusCode}`),
      },
      d.lockedUntil!,
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

  /** Claims as many due deliveries as there are free slots. */
  async function claim(): Promise<WebhookDeliveryRecord[]> {
    const room = opts.concurrency - running.size;
    if (room <= 0 || closed) return [];
    const now = clock.now();
    const claimDue = (on: Store) =>
      on.webhooks.claimDue(now.toISOString(), new Date(now.getTime() + leaseMs).toISOString(), room, caps);
    // PostgreSQL: in a transaction, for FOR UPDATE SKIP LOCKED to hold the candidates. SQLite: not — a read
    // transaction that then writes fails when another process writes first (SQLITE_BUSY); the claim's last
    // statement is guarded on the lease anyway, so two processes never claim one row.
    return store.dialect === 'postgres' ? store.transaction(claimDue) : claimDue(store);
  }

  function launch(d: WebhookDeliveryRecord): Promise<void> {
    const p: Promise<void> = attempt(d)
      .catch(opts.onError)
      .finally(() => {
        running.delete(p);
        // A slot is free: fill it (a timer-driven dispatcher only).
        if (opts.pollMs > 0) pump();
      });
    running.add(p);
    return p;
  }

  /** Fills the free slots, once at a time; asked again while running, it runs once more after. */
  function pump(): void {
    if (closed) return;
    if (pumping) {
      again = true;
      return;
    }
    pumping = claim()
      .then((claimed) => {
        for (const d of claimed) void launch(d);
      })
      .catch(opts.onError)
      .finally(() => {
        pumping = null;
        if (again) {
          again = false;
          pump();
        }
      });
  }

  function tick(): void {
    if (closed) return;
    pump();
    timer = setTimeout(tick, opts.pollMs);
    timer.unref();
  }
  if (opts.pollMs > 0) {
    timer = setTimeout(tick, opts.pollMs);
    timer.unref();
  }

  return {
    async runOnce() {
      const claimed = await claim();
      await Promise.all(claimed.map(launch));
      return claimed.length;
    },
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      await pumping;
      await Promise.all([...running]);
    },
  };
}
