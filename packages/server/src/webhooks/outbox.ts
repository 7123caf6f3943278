import { newId } from '../domain/ids.js';
import type { Store } from '../store/store.js';

/**
 * One event as a webhook carries it (the JSON body, signed as is): Standard Webhooks' `type`, `timestamp`
 * and `data`, with the event's id (also the `webhook-id` header), the org, and who caused it (null for
 * notices nobody's request caused: expiry, first use, an exhausted limit).
 */
export interface WebhookEvent {
  id: string;
  type: string;
  timestamp: string;
  org: { id: string; slug: string };
  /**
   * Who caused it, by id only: the audit log's label (a person's e-mail) is for audit_log:view, which a
   * subscriber need not hold.
   */
  actor: { type: 'user' | 'token' | 'system'; id: string | null } | null;
  data: Record<string, unknown>;
}

/**
 * The outbox of one transaction: each event becomes one delivery row per endpoint of the org that
 * subscribes to its type, written on the transaction's store, so that the row exists exactly when the
 * change does (the dispatcher, webhooks/dispatcher.ts, sends it later). The org's endpoints are read once
 * per transaction; an org without endpoints costs that one read.
 */
export class Outbox {
  private readonly receivers = new Map<string, Promise<{ id: string; eventTypes: string[] }[]>>();

  constructor(private readonly tx: Store) {}

  async add(orgId: string, events: readonly WebhookEvent[]): Promise<number> {
    if (events.length === 0) return 0;
    let receiving = this.receivers.get(orgId);
    if (!receiving) {
      receiving = this.tx.webhooks.receiving(orgId);
      this.receivers.set(orgId, receiving);
    }
    const endpoints = await receiving;
    if (endpoints.length === 0) return 0;
    const rows = events.flatMap((event) => {
      const body = JSON.stringify(event);
      return endpoints
        .filter((e) => e.eventTypes.includes(event.type))
        .map((e) => ({
          id: newId('webhookDelivery'),
          orgId,
          endpointId: e.id,
          eventId: event.id,
          eventType: event.type,
          payload: body,
          createdAt: event.timestamp,
          nextAttemptAt: event.timestamp,
        }));
    });
    await this.tx.webhooks.enqueue(rows);
    return rows.length;
  }
}
