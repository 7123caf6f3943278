import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  addMember,
  call,
  createOrg,
  createServiceAccount,
  createToken,
  login,
  PASSWORD,
  startInstance,
  type TestInstance,
} from '../helpers/harness.js';

let lk: TestInstance;
beforeAll(async () => {
  lk = await startInstance();
});
afterAll(() => lk.close());

async function dumpDatabase(): Promise<string> {
  const tables =
    lk.handle.dialect === 'postgres'
      ? await sql<{
          name: string;
        }>`select table_name as name from information_schema.tables where table_schema = current_schema()`.execute(
          lk.handle.db,
        )
      : await sql<{ name: string }>`select name from sqlite_master where type = 'table'`.execute(
          lk.handle.db,
        );
  const parts: string[] = [];
  for (const { name } of tables.rows) {
    const rows = await sql`select * from ${sql.table(name)}`.execute(lk.handle.db);
    parts.push(JSON.stringify(rows.rows));
  }
  return parts.join('\n');
}

it('no private token value, legacy private value, password or session is stored or logged', async () => {
  const org = await createOrg(lk);
  const sa = await createServiceAccount(lk, org, 'secretive');
  const privates = [org.adminToken];
  for (let i = 0; i < 3; i++)
    privates.push((await createToken(lk, org, { serviceAccountId: sa.id, name: `p${i}` })).token);
  const pub = await createToken(lk, org, {
    serviceAccountId: sa.id,
    type: 'public',
    domains: ['https://a.example.com'],
  });
  const member = await addMember(lk, org, 'legacy-owner@secrets.test', 'Viewer');
  const legacyPrivate = 'legacy-private-value-4b9f2c1e';
  const owner = await login(lk, org.ownerEmail);
  const imp = await call(lk, owner, 'POST', `/api/v1/orgs/${org.slug}/tokens/import`, {
    tokens: [
      { ownerEmail: 'legacy-owner@secrets.test', name: 'legacy', type: 'private', value: legacyPrivate },
    ],
  });
  expect(imp.statusCode, imp.body).toBe(201);
  // Use the tokens the ways callers do, so that request logs are exercised too.
  for (const t of privates)
    await call(lk, { headers: { authorization: `Bearer ${t}` } }, 'GET', '/api/v1/me');
  await lk.app.inject({ method: 'GET', url: `/api/v1/me?bearer_token=${privates[1]}` });
  await lk.app.inject({ method: 'POST', url: '/api/v1/verify', payload: { token: privates[2] } });

  const dump = await dumpDatabase();
  for (const value of [...privates, legacyPrivate]) expect(dump).not.toContain(value);
  expect(dump).not.toContain(PASSWORD);
  const sessionCookie = member.caller.headers.cookie!.match(/latchkey_session=([^;]+)/)![1]!;
  expect(dump).not.toContain(sessionCookie);
  // Public values are kept on purpose (rule 11) — and nothing else is.
  expect(dump).toContain(pub.token);

  const logs = lk.logs.join('');
  expect(logs.length).toBeGreaterThan(0);
  for (const value of [...privates, legacyPrivate, PASSWORD, sessionCookie])
    expect(logs).not.toContain(value);
});
