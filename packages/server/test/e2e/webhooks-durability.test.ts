import { afterAll, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { freePort, runCli, startServer, type Server } from '../helpers/process.js';
import { startReceiver, type Receiver } from '../helpers/webhook-receiver.js';

/**
 * Issue 16: the outbox row is written with the change, so an event committed just before the process is
 * killed (-9, no shutdown) is still delivered — by the next process to start on the database.
 */
let database: TestDatabase | undefined;
let server: Server | undefined;
let receiver: Receiver | undefined;
afterAll(async () => {
  server?.child.kill('SIGKILL');
  await receiver?.close();
  await database?.drop();
});

it('an event committed before kill -9 is delivered after the restart', async () => {
  database = await createTestDatabase('file');
  const env = { DATABASE_URL: database.url, LATCHKEY_WEBHOOKS_ALLOW_INSECURE: 'true' };
  const boot = await runCli(
    ['bootstrap', '--org', 'acme', '--email', 'owner@acme.test', '--password-stdin', '--admin-token'],
    env,
    'owner password 123',
  );
  expect(boot.code, boot.stderr).toBe(0);
  const headers = {
    authorization: `Bearer ${JSON.parse(boot.stdout).token}`,
    'content-type': 'application/json',
  };
  // The receiver's port is chosen now; nothing listens on it until the first process is dead.
  const port = await freePort();
  server = await startServer(env);
  const endpoint = await fetch(`${server.url}/api/v1/orgs/acme/webhook-endpoints`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ url: `http://127.0.0.1:${port}/hooks`, eventTypes: ['service_account.created'] }),
  });
  expect(endpoint.status, await endpoint.clone().text()).toBe(201);
  const created = await fetch(`${server.url}/api/v1/orgs/acme/service-accounts`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ name: 'survivor' }),
  });
  expect(created.status).toBe(201);
  // Committed; killed at once, before (or while) its delivery fails against the closed port.
  server.child.kill('SIGKILL');
  await new Promise((r) => server!.child.once('exit', r));

  receiver = await startReceiver(port);
  server = await startServer(env);
  // Delivered by the new process: at once, or after the 5-second retry if the first attempt had failed.
  const [got] = await receiver.waitFor(1, 15_000);
  expect(got!.event).toMatchObject({
    type: 'service_account.created',
    data: { serviceAccount: { name: 'survivor' } },
  });
  await new Promise((r) => setTimeout(r, 1500));
  expect(receiver.received).toHaveLength(1);
  await server.stop();
}, 60_000);
