import { AppError, notFound } from '../domain/errors.js';
import { newId } from '../domain/ids.js';
import { grants } from '../domain/permissions.js';
import { TEST_EVENT_TYPE, viewPermissionFor, type WebhookEventType } from '../domain/webhook-events.js';
import { checkWebhookUrl } from '../domain/webhook-target.js';
import type { WebhookEndpointRecord } from '../store/queries/webhooks.js';
import type { Store } from '../store/store.js';
import { newSigningSecret } from '../webhooks/send.js';
import { inTransaction, iso, type OrgScope, type ServiceDeps } from './context.js';
import { webhookEndpointView } from './views.js';

/** Endpoints one org may have. */
export const MAX_WEBHOOK_ENDPOINTS = 20;
/** Test events waiting for one endpoint before more are refused (a test is a button, not a load generator). */
export const MAX_PENDING_TESTS = 5;
/** After a rotation the replaced secret keeps signing this long, so receivers can switch without a gap. */
export const SECRET_OVERLAP_MS = 24 * 3600_000;

export interface EndpointInput {
  url: string;
  description?: string | null;
  eventTypes: WebhookEventType[];
}

/**
 * Webhook endpoints of an org (issue 16): each change recorded as an event (audit log, and the webhooks
 * of the other endpoints), its signing secret shown once at creation and at each rotation, its
 * deliveries listed and re-sent. Subscribing to an event type needs the view permission of what the
 * event describes (domain/webhook-events.ts viewPermissionFor).
 */
export function webhookEndpointService(deps: ServiceDeps) {
  const { store, config, clock } = deps;

  function checkUrl(url: string): string {
    const verdict = checkWebhookUrl(url, config.webhooksAllowInsecure);
    if (!verdict.ok)
      throw new AppError('invalid_webhook_url', `The endpoint URL ${verdict.reason}.`, { url });
    return verdict.url;
  }

  /**
   * The caller may receive these events: they hold the view permission of everything the events describe.
   * Checked for the types asked for, and for what an existing endpoint receives before any change to it —
   * its URL, its state, its secret, a re-send or test — so an endpoint someone else subscribed to tokens
   * cannot be pointed elsewhere (or its secret taken) by a caller who may not see tokens.
   */
  function assertMayReceive(scope: OrgScope, types: readonly string[], what: string): void {
    const missing = [...new Set(types.map((t) => viewPermissionFor(t as WebhookEventType)))].filter(
      (p) => !grants(scope.permissions, p),
    );
    if (missing.length > 0)
      throw new AppError(
        'permission_escalation',
        `${what} needs ${missing.join(', ')}, which you do not hold: the endpoint receives what that permission shows.`,
        { missing },
      );
  }

  function checkEventTypes(scope: OrgScope, types: readonly WebhookEventType[]): WebhookEventType[] {
    assertMayReceive(scope, types, 'Receiving these events');
    return [...new Set(types)].sort();
  }

  async function find(scope: OrgScope, id: string, tx: Store = store): Promise<WebhookEndpointRecord> {
    const e = await tx.webhooks.findInOrg(scope.org.id, id);
    if (!e) throw notFound('webhook endpoint');
    return e;
  }

  /** An endpoint the caller may change: everything it receives is within their view permissions. */
  async function findToChange(
    scope: OrgScope,
    id: string,
    tx: Store = store,
  ): Promise<WebhookEndpointRecord> {
    const e = await find(scope, id, tx);
    assertMayReceive(scope, e.eventTypes, 'Changing this endpoint');
    return e;
  }

  return {
    list: async (scope: OrgScope) => (await store.webhooks.listByOrg(scope.org.id)).map(webhookEndpointView),

    get: async (scope: OrgScope, id: string) => webhookEndpointView(await find(scope, id)),

    async create(scope: OrgScope, input: EndpointInput) {
      const url = checkUrl(input.url);
      const eventTypes = checkEventTypes(scope, input.eventTypes);
      return inTransaction(deps, async (tx, events) => {
        await tx.orgs.lockForUpdate(scope.org.id);
        if ((await tx.webhooks.listByOrg(scope.org.id)).length >= MAX_WEBHOOK_ENDPOINTS)
          throw new AppError(
            'validation_failed',
            `An org has at most ${MAX_WEBHOOK_ENDPOINTS} webhook endpoints.`,
          );
        const at = iso(clock.now());
        const secret = newSigningSecret();
        const endpoint: WebhookEndpointRecord = {
          id: newId('webhookEndpoint'),
          orgId: scope.org.id,
          url,
          description: input.description ?? null,
          eventTypes,
          secret,
          previousSecret: null,
          previousSecretExpiresAt: null,
          disabledAt: null,
          disabledReason: null,
          failingSince: null,
          createdAt: at,
          updatedAt: at,
          deletedAt: null,
        };
        await tx.webhooks.insertEndpoint(endpoint);
        await events.record(scope, at, {
          type: 'webhook_endpoint.created',
          endpoint: webhookEndpointView(endpoint),
        });
        return { ...webhookEndpointView(endpoint), secret };
      });
    },

    async update(
      scope: OrgScope,
      id: string,
      patch: {
        url?: string;
        description?: string | null;
        eventTypes?: WebhookEventType[];
        enabled?: boolean;
      },
    ) {
      const url = patch.url === undefined ? undefined : checkUrl(patch.url);
      const eventTypes =
        patch.eventTypes === undefined ? undefined : checkEventTypes(scope, patch.eventTypes);
      return inTransaction(deps, async (tx, events) => {
        await tx.webhooks.lockForUpdate(id);
        const before = await findToChange(scope, id, tx);
        const at = iso(clock.now());
        const enabling = patch.enabled === true && before.disabledAt !== null;
        const disabling = patch.enabled === false && before.disabledAt === null;
        const after: WebhookEndpointRecord = {
          ...before,
          ...(url !== undefined ? { url } : {}),
          ...(patch.description !== undefined ? { description: patch.description } : {}),
          ...(eventTypes !== undefined ? { eventTypes } : {}),
          ...(enabling ? { disabledAt: null, disabledReason: null, failingSince: null } : {}),
          ...(disabling ? { disabledAt: at, disabledReason: 'manual' as const } : {}),
          updatedAt: at,
        };
        await tx.webhooks.updateEndpoint(id, {
          url: after.url,
          description: after.description,
          eventTypes: after.eventTypes,
          disabledAt: after.disabledAt,
          disabledReason: after.disabledReason,
          failingSince: after.failingSince,
          updatedAt: at,
        });
        await events.record(scope, at, {
          type: 'webhook_endpoint.updated',
          before: webhookEndpointView(before),
          after: webhookEndpointView(after),
        });
        return webhookEndpointView(after);
      });
    },

    async remove(scope: OrgScope, id: string): Promise<void> {
      await inTransaction(deps, async (tx, events) => {
        await tx.webhooks.lockForUpdate(id);
        const before = await findToChange(scope, id, tx);
        const at = iso(clock.now());
        await tx.webhooks.updateEndpoint(id, { deletedAt: at, updatedAt: at });
        // What it still had to send is dropped with it (and leaves the dispatcher's due index).
        await tx.webhooks.abandonPending(id, at);
        await events.record(scope, at, {
          type: 'webhook_endpoint.deleted',
          endpoint: webhookEndpointView(before),
        });
      });
    },

    /** A new signing secret, shown this once; the replaced one keeps signing for a day alongside it. */
    async rotateSecret(scope: OrgScope, id: string) {
      return inTransaction(deps, async (tx, events) => {
        await tx.webhooks.lockForUpdate(id);
        const before = await findToChange(scope, id, tx);
        const now = clock.now();
        const at = iso(now);
        const secret = newSigningSecret();
        const previousSecretExpiresAt = new Date(now.getTime() + SECRET_OVERLAP_MS).toISOString();
        await tx.webhooks.updateEndpoint(id, {
          secret,
          previousSecret: before.secret,
          previousSecretExpiresAt,
          updatedAt: at,
        });
        const after = { ...before, secret, previousSecretExpiresAt, updatedAt: at };
        await events.record(scope, at, {
          type: 'webhook_endpoint.secret_rotated',
          endpoint: webhookEndpointView(after),
          previousSecretExpiresAt,
        });
        return { ...webhookEndpointView(after), secret };
      });
    },

    /** A page of deliveries, newest first, continuing after the delivery `cursor` (keyset: time, then id). */
    async deliveries(scope: OrgScope, id: string, limit: number, cursor?: string) {
      await find(scope, id);
      const after = cursor === undefined ? undefined : await store.webhooks.findDelivery(id, cursor);
      if (cursor !== undefined && !after) throw new AppError('validation_failed', 'Unknown cursor.');
      return store.webhooks.deliveries(id, limit, after);
    },

    /**
     * One delivery and its attempts. The body sent is shown only to a caller who may see what it describes
     * (webhook_endpoints:view alone shows that an event went out, not the token or member in it).
     */
    async delivery(scope: OrgScope, id: string, deliveryId: string) {
      await find(scope, id);
      const d = await store.webhooks.findDelivery(id, deliveryId);
      if (!d) throw notFound('delivery');
      const visible =
        d.eventType === TEST_EVENT_TYPE ||
        grants(scope.permissions, viewPermissionFor(d.eventType as WebhookEventType));
      return {
        delivery: d,
        attempts: await store.webhooks.attemptsOf(d.id),
        payload: visible ? (JSON.parse(d.payload) as unknown) : null,
      };
    },

    /** Sends a delivery again from the start of the back-off schedule, with its event id unchanged. */
    async resend(scope: OrgScope, id: string, deliveryId: string) {
      const endpoint = await findToChange(scope, id);
      if (endpoint.disabledAt)
        throw new AppError('webhook_endpoint_disabled', 'Enable the endpoint before re-sending to it.');
      const d = await store.webhooks.findDelivery(id, deliveryId);
      if (!d) throw notFound('delivery');
      if (d.eventType !== TEST_EVENT_TYPE) assertMayReceive(scope, [d.eventType], 'Re-sending this event');
      const now = iso(clock.now());
      if (!(await store.webhooks.resend(d.id, now)))
        throw new AppError(
          'delivery_in_flight',
          'An attempt of this delivery is in flight: wait for its outcome, then re-send.',
        );
      return (await store.webhooks.findDelivery(id, deliveryId))!;
    },

    /** Queues a `webhook.test` event to this one endpoint (whatever it subscribes to). */
    async sendTest(scope: OrgScope, id: string) {
      const endpoint = await findToChange(scope, id);
      if (endpoint.disabledAt)
        throw new AppError('webhook_endpoint_disabled', 'Enable the endpoint before sending to it.');
      if ((await store.webhooks.pendingTests(id)) >= MAX_PENDING_TESTS)
        throw new AppError(
          'rate_limited',
          `${MAX_PENDING_TESTS} test events to this endpoint are still waiting to be delivered.`,
          { retryAfterSeconds: 60 },
        );
      const at = iso(clock.now());
      const eventId = newId('event');
      const delivery = {
        id: newId('webhookDelivery'),
        orgId: scope.org.id,
        endpointId: id,
        eventId,
        eventType: TEST_EVENT_TYPE,
        payload: JSON.stringify({
          id: eventId,
          type: TEST_EVENT_TYPE,
          timestamp: at,
          org: { id: scope.org.id, slug: scope.org.slug },
          actor: { type: scope.actor.type, id: scope.actor.id },
          data: { message: 'A test event from Latchkey: this endpoint receives and verifies webhooks.' },
        }),
        createdAt: at,
        nextAttemptAt: at,
      };
      await store.webhooks.enqueue([delivery]);
      return (await store.webhooks.findDelivery(id, delivery.id))!;
    },

    /**
     * Latchkey disables an endpoint that failed for `webhooksDisableAfterDays` on end (the dispatcher asks):
     * an event (audit log, other endpoints) records it and the org's Owners are e-mailed.
     */
    async disableFailing(endpoint: WebhookEndpointRecord): Promise<void> {
      const org = await store.orgs.findById(endpoint.orgId);
      if (!org) return;
      const scope: OrgScope = {
        org,
        actor: { type: 'system', id: null, label: 'Latchkey (webhook delivery)', userId: null, ip: null },
        permissions: [],
      };
      const disabled = await inTransaction(deps, async (tx, events) => {
        await tx.webhooks.lockForUpdate(endpoint.id);
        const before = await tx.webhooks.findById(endpoint.id);
        if (!before || before.disabledAt || before.deletedAt) return false;
        const at = iso(clock.now());
        const after = { ...before, disabledAt: at, disabledReason: 'failing' as const, updatedAt: at };
        await tx.webhooks.updateEndpoint(endpoint.id, {
          disabledAt: at,
          disabledReason: 'failing',
          updatedAt: at,
        });
        await events.record(scope, at, {
          type: 'webhook_endpoint.disabled',
          before: webhookEndpointView(before),
          after: webhookEndpointView(after),
          reason: 'failing',
        });
        return true;
      });
      if (!disabled || !deps.mailer) return;
      const owners = (await store.members.listByOrg(org.id)).filter((m) => m.roleBuiltin === 'Owner');
      for (const o of owners)
        await deps.mailer.send({
          to: o.email,
          subject: `Latchkey: webhook endpoint disabled in ${org.name}`,
          text: [
            `Deliveries to ${endpoint.url} failed for ${config.webhooksDisableAfterDays} days on end, so Latchkey disabled the endpoint.`,
            'Its pending deliveries wait; enable it again once it answers, and re-send what failed.',
            '',
            `${config.publicUrl}/orgs/${org.slug}/webhooks`,
          ].join('\n'),
        });
    },
  };
}
