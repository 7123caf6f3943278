import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, TEST_STORE, type TestDatabase } from '../helpers/database.js';
import {
  call,
  createOrg,
  createServiceAccount,
  startInstance,
  testClock,
  type Org,
  type TestInstance,
} from '../helpers/harness.js';
import { startReceiver, type Receiver } from '../helpers/webhook-receiver.js';

/**
 * Issue 16: three instances on one database share the outbox. Each claims deliveries with a lease (on
 * PostgreSQL `FOR UPDATE SKIP LOCKED`), so a healthy receiver gets every event exactly once, and a failing
 * one is retried on the back-off schedule by whichever instance comes first — never early, never twice.
 */
describe(`three instances on one ${TEST_STORE} database`, () => {
  let db: TestDatabase;
  let receiver: Receiver;
  let org: Org;
  const clock = testClock(new Date(Math.floor(Date.now() / 1000) * 1000));
  const instances: TestInstance[] = [];
  const env = { LATCHKEY_WEBHOOKS_ALLOW_INSECURE: 'true', LATCHKEY_WEBHOOK_CONCURRENCY: '4' };

  beforeAll(async () => {
    db = await createTestDatabase('file');
    receiver = await startReceiver();
    for (let i = 0; i < 3; i++)
      instances.push(await startInstance({ ...env, DATABASE_URL: db.url }, { clock }));
    org = await createOrg(instances[0]!);
  });
  afterAll(async () => {
    for (const i of instances) await i.close();
    await receiver?.close();
    await db?.drop();
  });

  /** Every instance's dispatcher at once, until none of them finds anything due. */
  async function deliverAll(): Promise<number> {
    let total = 0;
    for (;;) {
      const n = (await Promise.all(instances.map((i) => i.webhooks.dispatcher.runOnce()))).reduce(
        (a, b) => a + b,
      );
      if (n === 0) return total;
      total += n;
    }
  }

  it('deliver each event exactly once to a healthy receiver', async () => {
    const res = await call(instances[0]!, org.admin, 'POST', `/api/v1/orgs/${org.slug}/webhook-endpoints`, {
      url: receiver.url,
      eventTypes: ['service_account.created'],
    });
    expect(res.statusCode, res.body).toBe(201);
    // 60 changes, made through all three instances.
    for (let i = 0; i < 60; i++) await createServiceAccount(instances[i % 3]!, org, `sa-${i}`);
    // The three dispatchers race for the same rows, each taking 4 at a time.
    expect(await deliverAll()).toBe(60);
    await new Promise((r) => setTimeout(r, 200));
    expect(receiver.received).toHaveLength(60);
    const ids = receiver.received.map((r) => r.headers['webhook-id']);
    expect(new Set(ids).size).toBe(60);
    const names = receiver.received.map((r) => r.event.data.serviceAccount.name as string).sort();
    expect(names).toEqual(Array.from({ length: 60 }, (_, i) => `sa-${i}`).sort());
  });

  it('retry a failing receiver on the back-off schedule, once per due attempt', async () => {
    receiver.received.length = 0;
    receiver.status = 500;
    await createServiceAccount(instances[1]!, org, 'retried-across');
    expect(await deliverAll()).toBe(1);
    // Not due for 5 seconds, whichever instance looks.
    clock.advance(4_000);
    expect(await deliverAll()).toBe(0);
    clock.advance(1_000);
    expect(await deliverAll()).toBe(1);
    clock.advance(299_000);
    expect(await deliverAll()).toBe(0);
    receiver.status = 204;
    clock.advance(1_000);
    expect(await deliverAll()).toBe(1);
    expect(await deliverAll()).toBe(0);
    expect(receiver.received).toHaveLength(3);
    expect(new Set(receiver.received.map((r) => r.headers['webhook-id'])).size).toBe(1);
  });
});
