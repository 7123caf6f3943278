import type { Kysely, Selectable } from 'kysely';
import type { DialectName } from '../dialect.js';
import type {
  Database,
  WebhookAttemptsTable,
  WebhookDeliveriesTable,
  WebhookEndpointsTable,
} from '../schema.js';

export type WebhookEndpointRow = Selectable<WebhookEndpointsTable>;
export type WebhookEndpointRecord = Omit<WebhookEndpointRow, 'eventTypes'> & { eventTypes: string[] };
export type WebhookDeliveryRecord = Selectable<WebhookDeliveriesTable>;
export type NewWebhookDelivery = Pick<
  WebhookDeliveryRecord,
  'id' | 'orgId' | 'endpointId' | 'eventId' | 'eventType' | 'payload' | 'createdAt' | 'nextAttemptAt'
>;

/** What an attempt came to: delivered, to be tried again at `retryAt`, or given up on. */
export type AttemptOutcome = { kind: 'delivered' } | { kind: 'retry'; retryAt: string } | { kind: 'failed' };

/** One delivery attempt, as its row stores it. */
export type AttemptRecord = Selectable<WebhookAttemptsTable>;

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
     * Claims up to `limit` deliveries that are due, of endpoints that receive, until `leaseUntil` (on
     * PostgreSQL, run it in a transaction). Another instance skips a claimed delivery until its lease ends (one in flight past its
     * lease — a process that stalled or died — is taken again: at-least-once). On PostgreSQL the candidates
     * are read `FOR UPDATE SKIP LOCKED`, so instances claiming at once take different rows instead of waiting.
     * Fair: no endpoint gets more than `perEndpoint`, and no org more than `perOrg`, in flight at once (all
     * instances counted), so one org's hanging receivers cannot hold every slot.
     */
    async claimDue(
      now: string,
      leaseUntil: string,
      limit: number,
      caps: { perEndpoint: number; perOrg: number },
    ): Promise<WebhookDeliveryRecord[]> {
      let candidates = db
        .selectFrom('webhookDeliveries as d')
        .innerJoin('webhookEndpoints as e', 'e.id', 'd.endpointId')
        .select(['d.id', 'd.endpointId', 'd.orgId'])
        .where('d.deliveredAt', 'is', null)
        .where('d.failedAt', 'is', null)
        .where('d.nextAttemptAt', '<=', now)
        .where((w) => w.or([w('d.lockedUntil', 'is', null), w('d.lockedUntil', '<=', now)]))
        .where('e.disabledAt', 'is', null)
        .where('e.deletedAt', 'is', null)
        .orderBy('d.nextAttemptAt')
        .limit(limit * 10);
      if (dialect === 'postgres') candidates = candidates.forUpdate(['d']).skipLocked();
      const rows = await candidates.execute();
      if (rows.length === 0) return [];
      const inFlight = await db
        .selectFrom('webhookDeliveries')
        .select(['endpointId', 'orgId', (eb) => eb.fn.countAll<number>().as('n')])
        .where('lockedUntil', '>', now)
        .where('deliveredAt', 'is', null)
        .where('failedAt', 'is', null)
        .groupBy(['endpointId', 'orgId'])
        .execute();
      const perEndpoint = new Map<string, number>();
      const perOrg = new Map<string, number>();
      for (const r of inFlight) {
        perEndpoint.set(r.endpointId, Number(r.n));
        perOrg.set(r.orgId, (perOrg.get(r.orgId) ?? 0) + Number(r.n));
      }
      const picked: string[] = [];
      for (const r of rows) {
        if (picked.length >= limit) break;
        const e = perEndpoint.get(r.endpointId) ?? 0;
        const o = perOrg.get(r.orgId) ?? 0;
        if (e >= caps.perEndpoint || o >= caps.perOrg) continue;
        perEndpoint.set(r.endpointId, e + 1);
        perOrg.set(r.orgId, o + 1);
        picked.push(r.id);
      }
      if (picked.length === 0) return [];
      return db
        .updateTable('webhookDeliveries')
        .set({ lockedUntil: leaseUntil })
        .where('id', 'in', picked)
        .where((w) => w.or([w('lockedUntil', 'is', null), w('lockedUntil', '<=', now)]))
        .returningAll()
        .execute();
    },
    /**
     * Records one attempt and what it came to; the delivery's lease ends. Only while the attempt's own lease
     * still holds the row: a re-send that reset it meanwhile keeps its state (the attempt is logged anyway).
     */
    async finishAttempt(attempt: AttemptRecord, lease: string, outcome: AttemptOutcome): Promise<void> {
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
        .where('lockedUntil', '=', lease)
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
    /**
     * Sends a delivery again from the start of the schedule (same event id: receivers de-duplicate); false
     * while an attempt is in flight (its lease runs), whose outcome would otherwise overwrite the re-send.
     */
    async resend(id: string, now: string): Promise<boolean> {
      const r = await db
        .updateTable('webhookDeliveries')
        .set({ deliveredAt: null, failedAt: null, attempts: 0, nextAttemptAt: now, lockedUntil: null })
        .where('id', '=', id)
        .where((eb) => eb.or([eb('lockedUntil', 'is', null), eb('lockedUntil', '<=', now)]))
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
    /** Test events still waiting to go to an endpoint. */
    async pendingTests(endpointId: string): Promise<number> {
      const row = await db
        .selectFrom('webhookDeliveries')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('endpointId', '=', endpointId)
        .where('eventType', '=', 'webhook.test')
        .where('deliveredAt', 'is', null)
        .where('failedAt', 'is', null)
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },
    /** A deleted endpoint's undelivered events: given up on (never sent, out of the due index). */
    async abandonPending(endpointId: string, at: string): Promise<void> {
      await db
        .updateTable('webhookDeliveries')
        .set({ failedAt: at, lockedUntil: null, lastError: 'endpoint deleted' })
        .where('endpointId', '=', endpointId)
        .where('deliveredAt', 'is', null)
        .where('failedAt', 'is', null)
        .execute();
    },
    /** Deliveries (and their attempts) finished before `before`: the delivery log keeps 30 days. */
    async pruneFinished(before: string): Promise<void> {
      const finished = db
        .selectFrom('webhookDeliveries')
        .select('id')
        .where('createdAt', '<', before)
        .where((eb) => eb.or([eb('deliveredAt', 'is not', null), eb('failedAt', 'is not', null)]));
      await db.deleteFrom('webhookAttempts').where('deliveryId', 'in', finished).execute();
      await db
        .deleteFrom('webhookDeliveries')
        .where('createdAt', '<', before)
        .where((eb) => eb.or([eb('deliveredAt', 'is not', null), eb('failedAt', 'is not', null)]))
        .execute();
    },
  };
}
