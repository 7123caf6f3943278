import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateToken } from '../../src/domain/token-format.js';
import { api, startCluster, waitUntil, type Cluster } from '../helpers/cluster.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { requestFrom } from '../helpers/http-client.js';

/**
 * Issue #11 finding 5, across instances: a token created on one instance must not be refused by another
 * instance's invalid-token limit. The other instance learns the new hash from the PostgreSQL invalidation
 * feed (the NOTIFY that carries revocations), so the window is the feed's delay: measured here, bounded
 * by one second as for revocations. Two `latchkey serve` processes, default limit (600 a minute).
 */
let db: TestDatabase;
let cluster: Cluster;
beforeAll(async () => {
  db = await createTestDatabase();
  cluster = await startCluster(db.url, 2);
}, 60_000);
afterAll(async () => {
  await cluster?.stop();
  await db?.drop();
});

describe('the presence filter on two instances of one PostgreSQL', () => {
  it("an address limited on instance 2 gets instance 1's brand-new token checked within the feed's delay", async () => {
    const [one, two] = cluster.instances as [Cluster['instances'][0], Cluster['instances'][0]];
    const client = '127.0.9.1';
    const verifyOnTwo = async (token: string) => {
      const res = await requestFrom(client, `${two.url}/api/v1/verify`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ token }),
      });
      return res.status === 429 ? 'rate_limited' : (JSON.parse(res.body) as { code: string }).code;
    };
    for (let sent = 0; sent < 620; sent += 20)
      await Promise.all(Array.from({ length: 20 }, () => verifyOnTwo(generateToken('private'))));
    expect(await verifyOnTwo(generateToken('private'))).toBe('rate_limited');

    const sa = await api<{ id: string }>(
      one,
      cluster.token,
      'POST',
      `/orgs/${cluster.org}/service-accounts`,
      { name: 'across' },
    );
    const created = await api<{ token: string }>(one, cluster.token, 'POST', `/orgs/${cluster.org}/tokens`, {
      name: 'new',
      type: 'private',
      serviceAccountId: sa.body.id,
    });
    expect(created.status).toBe(201);
    const took = await waitUntil(async () => (await verifyOnTwo(created.body.token)) === 'valid', 1000, 2);
    console.log(
      `[presence] a new token from instance 1 was valid for a limited address on instance 2 after ${took.toFixed(1)} ms`,
    );
    expect(await verifyOnTwo(generateToken('private'))).toBe('rate_limited');
  }, 60_000);
});
