import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, startCluster, verifyOn, waitUntil, type Cluster } from '../helpers/cluster.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';

/**
 * Three Latchkey processes on one PostgreSQL (started together: the migration lock makes them migrate
 * once). A token is created through instance 1, verified through 2 and 3 (warming their caches), revoked
 * through 1 — and we measure how long until 2 and 3 refuse it. Fifty times.
 */
let db: TestDatabase;
let cluster: Cluster;
beforeAll(async () => {
  db = await createTestDatabase();
  cluster = await startCluster(db.url, 3);
}, 60_000);
afterAll(async () => {
  await cluster?.stop();
  await db?.drop();
});

type Instance = Cluster['instances'][0];
const instances = () => cluster.instances as [Instance, Instance, Instance];

describe('three instances, one PostgreSQL', () => {
  it('revocation reaches every instance within one second (p50/max over 50 revocations)', async () => {
    const [one, two, three] = instances();
    const sa = await api<{ id: string }>(
      one,
      cluster.token,
      'POST',
      `/orgs/${cluster.org}/service-accounts`,
      { name: 'edge' },
    );
    expect(sa.status).toBe(201);
    const delays: number[] = [];
    for (let i = 0; i < 50; i++) {
      const created = await api<{ token: string; item: { id: string } }>(
        one,
        cluster.token,
        'POST',
        `/orgs/${cluster.org}/tokens`,
        { name: `t${i}`, type: 'private', serviceAccountId: sa.body.id },
      );
      expect(created.status).toBe(201);
      for (const s of [two, three]) expect((await verifyOn(s, created.body.token)).code).toBe('valid');
      const revoked = await api(
        one,
        cluster.token,
        'DELETE',
        `/orgs/${cluster.org}/tokens/${created.body.item.id}`,
      );
      expect(revoked.status).toBe(204);
      const took = await Promise.all(
        [two, three].map((s) =>
          waitUntil(async () => (await verifyOn(s, created.body.token)).code === 'token_revoked', 1000),
        ),
      );
      delays.push(Math.max(...took));
    }
    delays.sort((a, b) => a - b);
    const p50 = delays[Math.floor(delays.length / 2)]!;
    const max = delays[delays.length - 1]!;
    const figure = `revocation → refused on 2 other instances: p50 ${p50.toFixed(1)} ms, max ${max.toFixed(1)} ms over ${delays.length} revocations`;
    console.log(figure);
    const results = resolve(import.meta.dirname, '../../../../.test-results');
    mkdirSync(results, { recursive: true }); // a fresh clone has no results folder yet
    writeFileSync(resolve(results, 'revocation-propagation.txt'), `${figure}\n`);
    expect(max).toBeLessThan(1000);
  }, 120_000);

  it('disabling an account and narrowing a role propagate too; usage from all instances adds up', async () => {
    const [one, two, three] = instances();
    const role = await api<{ id: string }>(one, cluster.token, 'POST', `/orgs/${cluster.org}/roles`, {
      name: 'Narrowed',
      permissions: ['assets:edit'],
    });
    const sa = await api<{ id: string }>(
      one,
      cluster.token,
      'POST',
      `/orgs/${cluster.org}/service-accounts`,
      { name: 'propagated', roleId: role.body.id },
    );
    const t = await api<{ token: string; item: { id: string } }>(
      one,
      cluster.token,
      'POST',
      `/orgs/${cluster.org}/tokens`,
      { name: 'p', type: 'private', serviceAccountId: sa.body.id },
    );
    const can = async (s: typeof two, permission: string) => {
      const res = await fetch(`${s.url}/api/v1/verify`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ token: t.body.token, permission }),
      });
      return ((await res.json()) as { code: string }).code;
    };
    expect(await can(two, 'assets:edit')).toBe('valid');
    await api(one, cluster.token, 'PATCH', `/orgs/${cluster.org}/roles/${role.body.id}`, {
      permissions: ['assets:view'],
    });
    await waitUntil(async () => (await can(two, 'assets:edit')) === 'permission_denied', 1000);
    await api(one, cluster.token, 'PATCH', `/orgs/${cluster.org}/service-accounts/${sa.body.id}`, {
      disabled: true,
    });
    await waitUntil(async () => (await verifyOn(three, t.body.token)).code === 'owner_disabled', 1000);
    await api(one, cluster.token, 'PATCH', `/orgs/${cluster.org}/service-accounts/${sa.body.id}`, {
      disabled: false,
    });

    // Usage of a fresh token: 5 verifications on each instance; after their batched flushes (every 1 s here,
    // written to merge) the count is exactly 15 — none lost, none doubled.
    const u = await api<{ token: string; item: { id: string } }>(
      one,
      cluster.token,
      'POST',
      `/orgs/${cluster.org}/tokens`,
      { name: 'usage', type: 'private', serviceAccountId: sa.body.id },
    );
    await waitUntil(async () => (await verifyOn(three, t.body.token)).code === 'valid', 1000);
    for (const s of [one, two, three])
      for (let i = 0; i < 5; i++) expect((await verifyOn(s, u.body.token)).code).toBe('valid');
    const uses = async () =>
      (
        await api<{ usesLast7Days: number }>(
          one,
          cluster.token,
          'GET',
          `/orgs/${cluster.org}/tokens/${u.body.item.id}`,
        )
      ).body.usesLast7Days;
    await waitUntil(async () => (await uses()) === 15, 8000, 200);
    // Later flushes write only what was used since the last one: one more use on each instance, and once
    // each has flushed again the count is exactly 18 (a flush that wrote its five again would overshoot).
    for (const s of [one, two, three]) expect((await verifyOn(s, u.body.token)).code).toBe('valid');
    await waitUntil(async () => (await uses()) >= 18, 8000, 200);
    expect(await uses()).toBe(18);
  }, 60_000);

  it('a rotation with retire=on_first_use retires the old value on every instance within one second', async () => {
    const [one, two, three] = instances();
    const sa = await api<{ id: string }>(
      one,
      cluster.token,
      'POST',
      `/orgs/${cluster.org}/service-accounts`,
      { name: 'rotating' },
    );
    const delays: number[] = [];
    for (let i = 0; i < 10; i++) {
      const created = await api<{ token: string; item: { id: string } }>(
        one,
        cluster.token,
        'POST',
        `/orgs/${cluster.org}/tokens`,
        { name: `r${i}`, type: 'private', serviceAccountId: sa.body.id },
      );
      const old = created.body.token;
      // Every instance has the old value cached before the rotation…
      for (const s of [one, two, three]) expect((await verifyOn(s, old)).code).toBe('valid');
      const rotated = await api<{ token: string }>(
        one,
        cluster.token,
        'POST',
        `/orgs/${cluster.org}/tokens/${created.body.item.id}/rotate`,
        { retire: 'on_first_use' },
      );
      expect(rotated.status).toBe(201);
      // …and keeps accepting it while the new value is unused.
      for (const s of [one, two, three]) expect((await verifyOn(s, old)).code).toBe('valid');
      // The new value's first use happens on instance 2 (or 3): the old one retires on all three.
      const firstUse = i % 2 === 0 ? two : three;
      expect((await verifyOn(firstUse, rotated.body.token)).code).toBe('valid');
      const took = await Promise.all(
        [one, two, three].map((s) =>
          waitUntil(async () => (await verifyOn(s, old)).code === 'token_rotated', 1000),
        ),
      );
      delays.push(Math.max(...took));
      for (const s of [one, two, three]) expect((await verifyOn(s, rotated.body.token)).code).toBe('valid');
    }
    delays.sort((a, b) => a - b);
    const figure = `first use → old value refused on 3 instances: p50 ${delays[5]!.toFixed(1)} ms, max ${delays[9]!.toFixed(1)} ms over 10 rotations`;
    console.log(figure);
    expect(delays[9]).toBeLessThan(1000);
  }, 60_000);
});
