import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, startCluster, verifyOn, waitUntil, type Cluster } from '../helpers/cluster.js';
import {
  createTestDatabase,
  PG_ADMIN_URL,
  postgresReachable,
  type TestDatabase,
} from '../helpers/database.js';

/**
 * Faults: the LISTEN connection killed, then PostgreSQL stopped and started again (this test restarts the
 * machine's PostgreSQL itself, and always leaves it running). No instance may ever allow a revoked token.
 */
const cluster_ = () => readdirSync('/etc/postgresql')[0]!;
const pgctl = (action: 'start' | 'stop') =>
  execFileSync('pg_ctlcluster', ['--skip-systemctl-redirect', cluster_(), 'main', action], { stdio: 'pipe' });
let db: TestDatabase;
let cluster: Cluster;
beforeAll(async () => {
  db = await createTestDatabase();
  cluster = await startCluster(db.url, 2);
}, 60_000);
afterAll(async () => {
  if (!(await postgresReachable())) pgctl('start');
  await cluster?.stop();
  await db?.drop();
}, 60_000);

/** The instance's invalidation feed state; an instance that has exited fails the test with its output. */
async function feedOf(s: Cluster['instances'][0]): Promise<string> {
  if (s.child.exitCode !== null || s.child.signalCode !== null) {
    throw new Error(`instance exited (${s.child.exitCode ?? s.child.signalCode}): ${s.output()}`);
  }
  return ((await (await fetch(`${s.url}/readyz`)).json()) as { invalidationFeed: string }).invalidationFeed;
}

/** Runs a request to `s`; when it fails because the instance has exited, says so with its output. */
async function alive<T>(s: Cluster['instances'][0], request: () => Promise<T>): Promise<T> {
  try {
    return await request();
  } catch (e) {
    await new Promise((r) => setTimeout(r, 200)); // let the exit be reported
    if (s.child.exitCode !== null || s.child.signalCode !== null)
      throw new Error(`instance exited (${s.child.exitCode ?? s.child.signalCode}): ${s.output()}`);
    throw e;
  }
}

describe('faults', () => {
  it('a killed LISTEN connection: the instance serves from the database (no stale allow) and reconnects', async () => {
    const [one, two] = cluster.instances as [Cluster['instances'][0], Cluster['instances'][0]];
    await waitUntil(async () => (await feedOf(two)) === 'listening', 10_000, 100);
    const sa = await api<{ id: string }>(
      one,
      cluster.token,
      'POST',
      `/orgs/${cluster.org}/service-accounts`,
      { name: 'fault' },
    );
    const t = await api<{ token: string; item: { id: string } }>(
      one,
      cluster.token,
      'POST',
      `/orgs/${cluster.org}/tokens`,
      { name: 'f1', type: 'private', serviceAccountId: sa.body.id },
    );
    expect((await verifyOn(two, t.body.token)).code).toBe('valid');

    const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
    await admin.connect();
    const killed = await admin.query(
      "select pg_terminate_backend(pid) from pg_stat_activity where query ilike 'LISTEN%'",
    );
    await admin.end();
    expect(killed.rowCount).toBeGreaterThanOrEqual(2);
    // Revoke at once: instance 2 may miss the NOTIFY, but it must not allow the token.
    await api(one, cluster.token, 'DELETE', `/orgs/${cluster.org}/tokens/${t.body.item.id}`);
    await waitUntil(async () => (await verifyOn(two, t.body.token)).code === 'token_revoked', 1000);
    await waitUntil(async () => (await feedOf(two)) === 'listening', 10_000, 100);
    expect((await verifyOn(two, t.body.token)).code).toBe('token_revoked');
  }, 30_000);

  it('PostgreSQL stopped: instances fail closed; started again: they recover and revocations propagate', async () => {
    const [one, two] = cluster.instances as [Cluster['instances'][0], Cluster['instances'][0]];
    const sa = await api<{ id: string }>(
      one,
      cluster.token,
      'POST',
      `/orgs/${cluster.org}/service-accounts`,
      { name: 'outage' },
    );
    const keep = await api<{ token: string; item: { id: string } }>(
      one,
      cluster.token,
      'POST',
      `/orgs/${cluster.org}/tokens`,
      { name: 'kept', type: 'private', serviceAccountId: sa.body.id },
    );
    const gone = await api<{ token: string; item: { id: string } }>(
      one,
      cluster.token,
      'POST',
      `/orgs/${cluster.org}/tokens`,
      { name: 'gone', type: 'private', serviceAccountId: sa.body.id },
    );
    for (const s of [one, two]) expect((await verifyOn(s, keep.body.token)).code).toBe('valid');
    await api(one, cluster.token, 'DELETE', `/orgs/${cluster.org}/tokens/${gone.body.item.id}`);
    await waitUntil(async () => (await verifyOn(two, gone.body.token)).code === 'token_revoked', 1000);

    pgctl('stop');
    try {
      await waitUntil(async () => (await feedOf(two)) === 'reconnecting', 10_000, 100);
      for (const s of [one, two]) {
        for (const token of [keep.body.token, gone.body.token]) {
          const v = await alive(s, () => verifyOn(s, token));
          expect(v.code, `${s.url} during the outage`).not.toBe('valid');
          const fa = await alive(s, () =>
            fetch(`${s.url}/api/v1/forward-auth`, { headers: { authorization: `Bearer ${token}` } }),
          );
          expect(fa.status).toBe(401);
        }
        expect((await alive(s, () => fetch(`${s.url}/readyz`))).status).toBe(503);
      }
    } finally {
      pgctl('start');
    }
    for (const s of [one, two]) {
      await waitUntil(async () => (await verifyOn(s, keep.body.token)).code === 'valid', 30_000, 200);
      await waitUntil(async () => (await feedOf(s)) === 'listening', 30_000, 200);
      expect((await verifyOn(s, gone.body.token)).code).toBe('token_revoked');
    }
    // Back to normal: a revocation through 1 reaches 2 within a second.
    await api(one, cluster.token, 'DELETE', `/orgs/${cluster.org}/tokens/${keep.body.item.id}`);
    const took = await waitUntil(
      async () => (await verifyOn(two, keep.body.token)).code === 'token_revoked',
      1000,
    );
    expect(took).toBeLessThan(1000);
  }, 90_000);
});
