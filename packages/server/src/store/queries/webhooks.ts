import type { Kysely, Selectable } from 'kysely';
import type { DialectName } from '../dialect.js';
import type { Database, WebhookDeliveriesTable, WebhookEndpointsTable } from '../schema.js';

export type WebhookEndpointRow = Selectable<WebhookEndpointsTable>;
export type WebhookEndpointRecord = Omit<WebhookEndpointRow, 'eventTypes'> & { eventTypes: string[] };
export type WebhookDeliveryRecord = Selectable<WebhookDeliveriesTable>;
export type NewWebhookDelivery = Pick<
  WebhookDeliveryRecord,
  'id' | 'orgId' | 'endpointId' | 'eventId' | 'eventType' | 'payload' | 'createdAt' | 'nextAttemptAt'
>;

/** What an attempt came to: delivered, to be tried again at `retryAt`, or given up on. */
export type AttemptOutcome = { kind: 'delivered' } | { kind: 'retry'; retryAt: string } | { kind: 'failed' };

export interface AttemptRecord {
  id: string;
  deliveryId: string;
  at: string;
  statusCode: number | null;
  latencyMs: number;
  error: string | null;
}

const endpointOf = (r: WebhookEndpointRow): WebhookEndpointRecord => ({
  ...r,
  eventTypes: JSON.parse(r.eventTypes) as string[],
});

/** Rows per multi-row insert: 8 parameters each, far under PostgreSQL's 65,535. */
const ROWS_PER_INSERT = 500;

export function webhookQueries(db: Kysely<Database>, dialect: DialectName) {
  return {
    async insertEndpoint(e: WebhookEndpointRecord): Promise<void> {
      await db
        .insertInto('webhookEndpoints')
        .values({ ...e, eventTypes: JSON.stringify(e.eventTypes) })
        .execute();
    },
    async updateEndpoint(
      id: string,
      change: Partial<Omit<WebhookEndpointRecord, 'id' | 'orgId' | 'createdAt'>>,
    ): Promise<void> {
      const { eventTypes, ...rest } = change;
      await db
        .updateTable('webhookEndpoints')
        .set({ ...rest, ...(eventTypes ? { eventTypes: JSON.stringify(eventTypes) } : {}) })
        .where('id', '=', id)
        .execute();
    },
    /** Locks the endpoint's row for the transaction (PostgreSQL), so two changes to it serialise. */
    async lockForUpdate(id: string): Promise<void> {
      if (dialect === 'postgres')
        await db.selectFrom('webhookEndpoints').select('id').where('id', '=', id).forUpdate().execute();
    },
    async listByOrg(orgId: string): Promise<WebhookEndpointRecord[]> {
      const rows = await db
        .selectFrom('webhookEndpoints')
        .selectAll()
        .where('orgId', '=', orgId)
        .where('deletedAt', 'is', null)
        .orderBy('createdAt')
        .orderBy('id')
        .execute();
      return rows.map(endpointOf);
    },
    async findInOrg(orgId: string, id: string): Promise<WebhookEndpointRecord | undefined> {
      const row = await db
        .selectFrom('webhookEndpoints')
        .selectAll()
        .where('orgId', '=', orgId)
        .where('id', '=', id)
        .where('deletedAt', 'is', null)
        .executeTakeFirst();
      return row && endpointOf(row);
    },
    async findById(id: string): Promise<WebhookEndpointRecord | undefined> {
      const row = await db.selectFrom('webhookEndpoints').selectAll().where('id', '=', id).executeTakeFirst();
      return row && endpointOf(row);
    },
    /** The org's endpoints that receive events now (enabled, not deleted): the outbox's fan-out. */
    async receiving(orgId: string): Promise<{ id: string; eventTypes: string[] }[]> {
      const rows = await db
        .selectFrom('webhookEndpoints')
        .select(['id', 'eventTypes'])
        .where('orgId', '=', orgId)
        .where('deletedAt', 'is', null)
        .where('disabledAt', 'is', null)
        .execute();
      return rows.map((r) => ({ id: r.id, eventTypes: JSON.parse(r.eventTypes) as string[] }));
    },

    /** The outbox: written in the transaction of the change the events describe. */
    async enqueue(deliveries: readonly NewWebhookDelivery[]): Promise<void> {
      for (let i = 0; i < deliveries.length; i += ROWS_PER_INSERT)
        await db
          .insertInto('webhookDeliveries')
          .values(deliveries.slice(i, i + ROWS_PER_INSERT))
          .execute();
    },
    /**
     * Claims up to `limit` deliveries that are due, of endpoints that receive, until `leaseUntil`: another
     * instance skips a claimed delivery until its lease ends (one in flight past its lease — a process that
     * stalled or died — is taken again: at-least-once). On PostgreSQL the rows are chosen `FOR UPDATE SKIP
     * LOCKED`, so instances claiming at once take different rows instead of waiting for each other.
     */
    async claimDue(now: string, leaseUntil: string, limit: number): Promise<WebhookDeliveryRecord[]> {
      return db
        .updateTable('webhookDeliveries')
        .set({ lockedUntil: leaseUntil })
        .where('id', 'in', (eb) => {
          const due = eb
            .selectFrom('webhookDeliveries as d')
            .innerJoin('webhookEndpoints as e', 'e.id', 'd.endpointId')
            .select('d.id')
            .where('d.deliveredAt', 'is', null)
            .where('d.failedAt', 'is', null)
            .where('d.nextAttemptAt', '<=', now)
            .where((w) => w.or([w('d.lockedUntil', 'is', null), w('d.lockedUntil', '<=', now)]))
            .where('e.disabledAt', 'is', null)
            .where('e.deletedAt', 'is', null)
            .orderBy('d.nextAttemptAt')
            .limit(limit);
          return dialect === 'postgres' ? due.forUpdate(['d']).skipLocked() : due;
        })
        .returningAll()
        .execute();
    },
    /** Records one attempt and what it came to; the delivery's lease ends. */
    async finishAttempt(attempt: AttemptRecord, outcome: AttemptOutcome): Promise<void> {
      await db.insertInto('webhookAttempts').values(attempt).execute();
      await db
        .updateTable('webhookDeliveries')
        .set((eb) => ({
          attempts: eb('attempts', '+', 1),
          lockedUntil: null,
          lastAttemptAt: attempt.at,
          lastStatusCode: attempt.statusCode,
          lastError: attempt.error,
          ...(outcome.kind === 'delivered' ? { deliveredAt: attempt.at } : {}),
          ...(outcome.kind === 'failed' ? { failedAt: attempt.at } : {}),
          ...(outcome.kind === 'retry' ? { nextAttemptAt: outcome.retryAt } : {}),
        }))
        .where('id', '=', attempt.deliveryId)
        .execute();
    },
    /** Healthy again: forgets when it started failing. */
    async endpointSucceeded(id: string): Promise<void> {
      await db
        .updateTable('webhookEndpoints')
        .set({ failingSince: null })
        .where('id', '=', id)
        .where('failingSince', 'is not', null)
        .execute();
    },
    /** Failing: since when (the first failure after its last success). */
    async endpointFailed(id: string, at: string): Promise<string> {
      await db
        .updateTable('webhookEndpoints')
        .set({ failingSince: at })
        .where('id', '=', id)
        .where('failingSince', 'is', null)
        .execute();
      const row = await db
        .selectFrom('webhookEndpoints')
        .select('failingSince')
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
      return row.failingSince ?? at;
    },
    /**
     * One page of an endpoint's deliveries, newest first, after `cursor` (the last row of the previous page):
     * keyed on time and id, since one change (an import) writes many deliveries in the same millisecond.
     */
    async deliveries(
      endpointId: string,
      limit: number,
      cursor?: Pick<WebhookDeliveryRecord, 'createdAt' | 'id'>,
    ): Promise<WebhookDeliveryRecord[]> {
      let q = db.selectFrom('webhookDeliveries').selectAll().where('endpointId', '=', endpointId);
      if (cursor)
        q = q.where((eb) =>
          eb.or([
            eb('createdAt', '<', cursor.createdAt),
            eb.and([eb('createdAt', '=', cursor.createdAt), eb('id', '<', cursor.id)]),
          ]),
        );
      return q.orderBy('createdAt', 'desc').orderBy('id', 'desc').limit(limit).execute();
    },
    async findDelivery(endpointId: string, id: string): Promise<WebhookDeliveryRecord | undefined> {
      return db
        .selectFrom('webhookDeliveries')
        .selectAll()
        .where('endpointId', '=', endpointId)
        .where('id', '=', id)
        .executeTakeFirst();
    },
    async attemptsOf(deliveryId: string): Promise<AttemptRecord[]> {
      return db
        .selectFrom('webhookAttempts')
        .selectAll()
        .where('deliveryId', '=', deliveryId)
        .orderBy('at')
        .orderBy('id')
        .execute();
    },
    /** Sends a delivery again from the start of the schedule (same event id: receivers de-duplicate). */
    async resend(id: string, now: string): Promise<void> {
      await db
        .updateTable('webhookDeliveries')
        .set({ deliveredAt: null, failedAt: null, attempts: 0, nextAttemptAt: now, lockedUntil: null })
        .where('id', '=', id)
        .execute();
    },
  };
}
