import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { addMember, call, createOrg, createServiceAccount, login, roleId, startInstance, type Caller, type Org, type TestInstance } from '../helpers/harness.js';

/**
 * Concurrent reassign / remove-member / create-token / delete-service-account / import on the same
 * objects, many rounds, then the invariant: no active token is owned by a removed member or a deleted
 * service account. (PostgreSQL runs these transactions truly in parallel; SQLite one at a time.)
 */
let lk: TestInstance;
let org: Org;
let owner: Caller;
beforeAll(async () => {
  lk = await startInstance();
  org = await createOrg(lk);
  owner = await login(lk, org.ownerEmail);
});
afterAll(() => lk.close());

it('never leaves a token owned by a removed member or a deleted service account', async () => {
  const api = (m: 'GET' | 'POST' | 'PATCH' | 'DELETE', path: string, body?: unknown) => call(lk, owner, m, `/api/v1/orgs/${org.slug}${path}`, body);
  const admin = await roleId(lk, org, 'Admin');
  const outcomes = new Map<string, number>();
  for (let round = 0; round < 15; round++) {
    const email = `racer${round}@races.test`;
    await addMember(lk, org, email, 'Admin');
    const member = (await api('GET', '/members')).json().items.find((m: { email: string }) => m.email === email);
    const sa = await createServiceAccount(lk, org, `racer-sa-${round}`, { roleId: admin });
    const imported = await api('POST', '/tokens/import', { tokens: [{ ownerEmail: email, name: 'legacy', type: 'private', value: `race-legacy-value-${round}-a` }] });
    const legacyId = imported.json().rows[0].tokenId as string;
    const results = await Promise.all([
      api('POST', `/tokens/${legacyId}/reassign`, { serviceAccountId: sa.id }),
      api('DELETE', `/members/${member.userId}`),
      api('DELETE', `/service-accounts/${sa.id}`),
      api('POST', '/tokens', { name: 'new', type: 'private', serviceAccountId: sa.id }),
      api('POST', '/tokens/import', { tokens: [{ ownerEmail: email, name: 'legacy 2', type: 'private', value: `race-legacy-value-${round}-b` }] }),
      api('DELETE', `/members/${member.userId}`),
    ]);
    for (const r of results) {
      expect(r.statusCode, r.body).toBeLessThan(500);
      const key = `${r.statusCode}`;
      outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
    }
  }
  const orphans = await sql<{ id: string }>`
    select t.id from tokens t
    left join service_accounts sa on sa.id = t.owner_service_account_id
    left join members m on m.org_id = t.org_id and m.user_id = t.owner_user_id
    where t.revoked_at is null
      and ((t.owner_service_account_id is not null and sa.deleted_at is not null)
        or (t.owner_user_id is not null and m.user_id is null))`.execute(lk.handle.db);
  expect(orphans.rows, `outcomes ${JSON.stringify(Object.fromEntries(outcomes))}`).toEqual([]);
}, 120_000);
