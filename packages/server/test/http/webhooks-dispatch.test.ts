import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DELIVERY_LOG_DAYS } from '../../src/webhooks/notices.js';
import {
  call,
  createOrg,
  createServiceAccount,
  createToken,
  startInstance,
  testClock,
  type Org,
  type TestInstance,
} from '../helpers/harness.js';
import { startReceiver, type Receiver } from '../helpers/webhook-receiver.js';

/**
 * The dispatcher as it runs in a server (on its timer), and what the attack review of issue 16 found:
 * one org's receiver that never answers must not hold up another org's deliveries; the delivery log is
 * pruned; a deleted endpoint's queue is dropped; a busy token's new source is still announced.
 */
const clock = testClock(new Date(Math.floor(Date.now() / 1000) * 1000));
let lk: TestInstance;
let healthy: Receiver;
let hanging: Server;
let hangingUrl: string;
let a: Org;
let b: Org;

beforeAll(async () => {
  hanging = createServer(() => {
    // Never answers: each delivery to it holds its slot until the attempt's time limit.
  });
  await new Promise<void>((r) => hanging.listen(0, '127.0.0.1', r));
  hangingUrl = `http://127.0.0.1:${(hanging.address() as AddressInfo).port}/hooks`;
  healthy = await startReceiver();
  lk = await startInstance(
    {
      LATCHKEY_WEBHOOKS_ALLOW_INSECURE: 'true',
      LATCHKEY_WEBHOOK_CONCURRENCY: '4',
      LATCHKEY_WEBHOOK_TIMEOUT_SECONDS: '20',
      LATCHKEY_USAGE_FLUSH_SECONDS: '3600',
    },
    { clock, webhooks: { timers: true, pollMs: 50, sweepMs: 3_600_000 } },
  );
  a = await createOrg(lk);
  b = await createOrg(lk);
});
afterAll(async () => {
  hanging.closeAllConnections();
  await new Promise((r) => hanging.close(r));
  await lk?.close();
  await healthy?.close();
});

const addEndpoint = async (o: Org, url: string, eventTypes: string[]) => {
  const res = await call(lk, o.admin, 'POST', `/api/v1/orgs/${o.slug}/webhook-endpoints`, {
    url,
    eventTypes,
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as { id: string };
};

it("one org's receiver that never answers does not hold up another org's deliveries", async () => {
  const stuck = await addEndpoint(a, hangingUrl, ['service_account.created']);
  for (let i = 0; i < 12; i++) await createServiceAccount(lk, a, `stuck-${i}`);
  await addEndpoint(b, healthy.url, ['service_account.created']);
  // Give org A's twelve deliveries time to take every slot they can.
  await new Promise((r) => setTimeout(r, 300));
  const started = Date.now();
  await createServiceAccount(lk, b, 'on-time');
  const [got] = await healthy.waitFor(1, 5_000);
  expect(got!.event.data.serviceAccount.name).toBe('on-time');
  expect(Date.now() - started).toBeLessThan(3_000);
  // Org A holds at most half the slots, and its one endpoint no more than its own cap.
  const inFlight = await lk.handle.db
    .selectFrom('webhookDeliveries')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('endpointId', '=', stuck.id)
    .where('lockedUntil', '>', clock.now().toISOString())
    .executeTakeFirstOrThrow();
  expect(Number(inFlight.n)).toBe(2);
  // Deleting the endpoint drops what it still had to send.
  expect(
    (await call(lk, a.admin, 'DELETE', `/api/v1/orgs/${a.slug}/webhook-endpoints/${stuck.id}`)).statusCode,
  ).toBe(204);
  const pending = await lk.handle.db
    .selectFrom('webhookDeliveries')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('endpointId', '=', stuck.id)
    .where('failedAt', 'is', null)
    .where('deliveredAt', 'is', null)
    .executeTakeFirstOrThrow();
  expect(Number(pending.n)).toBe(0);
  hanging.closeAllConnections();
});

it(`the delivery log keeps ${DELIVERY_LOG_DAYS} days of finished deliveries`, async () => {
  const e = await addEndpoint(b, healthy.url, ['role.created']);
  await call(lk, b.admin, 'POST', `/api/v1/orgs/${b.slug}/roles`, { name: 'Old news', permissions: [] });
  await healthy.waitFor(2, 5_000);
  const log = () => call(lk, b.admin, 'GET', `/api/v1/orgs/${b.slug}/webhook-endpoints/${e.id}/deliveries`);
  await expect.poll(async () => (await log()).json().items[0]?.status).toBe('delivered');
  clock.advance((DELIVERY_LOG_DAYS + 1) * 86_400_000);
  await lk.webhooks.notices.sweep(true);
  expect((await log()).json().items).toEqual([]);
});

it("a busy token's use from a new address is announced, however many others it sees at once", async () => {
  await addEndpoint(b, healthy.url, ['token.first_used_address']);
  const sa = await createServiceAccount(lk, b, 'fleet');
  const { token, item } = await createToken(lk, b, { serviceAccountId: sa.id });
  const verifyFrom = async (ip: string) =>
    expect((await call(lk, null, 'POST', '/api/v1/verify', { token, ip })).json().valid).toBe(true);
  const fleet = Array.from({ length: 250 }, (_, i) => `198.51.100.${i}`);
  for (const ip of fleet) await verifyFrom(ip);
  await lk.usage.flush();
  await lk.webhooks.notices.sweep(false);
  await lk.webhooks.notices.sweep(false);
  // The intruder, then the whole fleet again within the same flush interval.
  clock.advance(2000);
  await verifyFrom('203.0.113.200');
  for (const ip of fleet) await verifyFrom(ip);
  await lk.usage.flush();
  await lk.webhooks.notices.sweep(false);
  await lk.webhooks.notices.sweep(false);
  await expect
    .poll(
      () =>
        healthy
          .ofType('token.first_used_address')
          .filter((r) => r.event.data.token.id === item.id)
          .map((r) => r.event.data.address as string).length,
      { timeout: 10_000 },
    )
    .toBe(251);
  const announced = healthy.ofType('token.first_used_address').map((r) => r.event.data.address as string);
  expect(announced).toContain('203.0.113.200');
  expect(new Set(announced).size).toBe(announced.length);
});
