import { afterAll, expect, it } from 'vitest';
import { api } from '../helpers/cluster.js';
import { waitUntil } from '../helpers/wait.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { runCli, startServer, type Server } from '../helpers/process.js';

/**
 * kill -9 in the middle of a stream of writes, restart: every acknowledged write is there, nothing
 * half-written is, and the audit log matches the data exactly (each change and its entry commit together).
 */
let db: TestDatabase;
let server: Server | undefined;
afterAll(async () => {
  await server?.stop();
  await db?.drop();
});

it('every acknowledged write survives a kill -9, and data and audit log agree', async () => {
  db = await createTestDatabase('file');
  const env = { DATABASE_URL: db.url };
  const boot = await runCli(
    ['bootstrap', '--org', 'crash', '--email', 'owner@crash.test', '--password-stdin', '--admin-token'],
    env,
    'crash password 12',
  );
  expect(boot.code, boot.stderr).toBe(0);
  const token = (JSON.parse(boot.stdout) as { token: string }).token;
  server = await startServer(env);

  const acknowledged = new Set<string>();
  let n = 0;
  let stop = false;
  const writer = async () => {
    while (!stop) {
      const name = `crash-${n++}`;
      try {
        const res = await api<{ id: string }>(server!, token, 'POST', '/orgs/crash/service-accounts', {
          name,
        });
        if (res.status === 201) acknowledged.add(res.body.id);
      } catch {
        return; // the server is gone mid-request: that write was never acknowledged
      }
    }
  };
  const writers = Array.from({ length: 4 }, writer);
  // Killed in the middle of the stream: once a good number of writes were acknowledged (not after a fixed
  // time, which a slow machine may spend starting up).
  await waitUntil(() => acknowledged.size >= 20, 30_000);
  server.child.kill('SIGKILL');
  stop = true;
  await Promise.all(writers);
  const killed = server.child;
  if (killed.exitCode === null && killed.signalCode === null)
    await new Promise((r) => killed.once('exit', r));
  expect(acknowledged.size).toBeGreaterThan(5);

  server = await startServer(env);
  const listed = await api<{ items: { id: string; name: string }[] }>(
    server,
    token,
    'GET',
    '/orgs/crash/service-accounts',
  );
  const present = new Set(listed.body.items.filter((s) => s.name.startsWith('crash-')).map((s) => s.id));
  for (const id of acknowledged) expect(present.has(id), `acknowledged ${id} lost`).toBe(true);

  const audited = new Set<string>();
  let cursor: string | null = null;
  do {
    const page: { body: { items: { action: string; target: { id: string } }[]; nextCursor: string | null } } =
      await api(
        server,
        token,
        'GET',
        `/orgs/crash/audit-log?action=service_account.create&limit=200${cursor ? `&cursor=${cursor}` : ''}`,
      );
    for (const e of page.body.items) audited.add(e.target.id);
    cursor = page.body.nextCursor;
  } while (cursor);
  // Exactly the same set: no change without its entry, no entry without its change.
  const adminSa = listed.body.items.find((s) => s.name === 'admin')!.id;
  audited.delete(adminSa);
  expect([...audited].sort()).toEqual([...present].sort());
}, 60_000);
