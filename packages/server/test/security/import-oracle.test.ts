import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  call,
  createOrg,
  createServiceAccount,
  createToken,
  errorCode,
  login,
  startInstance,
  verify,
  type Org,
  type TestInstance,
} from '../helpers/harness.js';

/**
 * Issue 11, finding 17: the import must not tell a caller which values are live in other orgs. The
 * dry run compares only with the caller's own org; the real import refuses a value held elsewhere
 * with a generic code, and every row of a real import is charged to the caller's verify-failure
 * budget, so importing is no faster an oracle than verifying.
 */
const sha256 = (v: string) => createHash('sha256').update(v).digest('hex');
let n = 0;
const fresh = () => `fresh-candidate-${process.pid}-${(n += 1)}-value`;

describe('the dry run is not a cross-tenant oracle', () => {
  let lk: TestInstance;
  let victim: Org;
  let attacker: Org;
  const live: Record<string, string> = {};
  beforeAll(async () => {
    lk = await startInstance();
    victim = await createOrg(lk);
    attacker = await createOrg(lk);
    const sa = await createServiceAccount(lk, victim, 'victim-sa');
    live.latchkey = (await createToken(lk, victim, { serviceAccountId: sa.id })).token;
    live.legacy = `victim-legacy-secret-${process.pid}`;
    const imported = await call(
      lk,
      await login(lk, victim.ownerEmail),
      'POST',
      `/api/v1/orgs/${victim.slug}/tokens/import`,
      {
        tokens: [{ ownerEmail: victim.ownerEmail, name: 'legacy', type: 'private', value: live.legacy }],
      },
    );
    expect(imported.statusCode, imported.body).toBe(201);
  });
  afterAll(() => lk.close());

  const dryRun = async (org: Org, row: Record<string, string>) => {
    const res = await call(
      lk,
      await login(lk, org.ownerEmail),
      'POST',
      `/api/v1/orgs/${org.slug}/tokens/import`,
      {
        dryRun: true,
        tokens: [{ ownerEmail: org.ownerEmail, name: 'probe', type: 'private', ...row }],
      },
    );
    return { status: res.statusCode, body: res.json() as unknown };
  };

  it.each(['latchkey', 'legacy'])(
    'answers for a %s value live in another org exactly as for a fresh value, by value and by hash',
    async (kind) => {
      const value = live[kind]!;
      const freshAnswer = await dryRun(attacker, { value: fresh() });
      expect(freshAnswer.status).toBe(200);
      expect(await dryRun(attacker, { value })).toEqual(freshAnswer);
      expect(await dryRun(attacker, { sha256: sha256(value) })).toEqual(
        await dryRun(attacker, { sha256: sha256(fresh()) }),
      );
    },
  );

  it("still reports duplicates within the caller's own org", async () => {
    const answer = await dryRun(victim, { value: live.legacy! });
    expect(answer.body).toMatchObject({ valid: false, rows: [{ ok: false, code: 'duplicate_value' }] });
  });

  it('the real import refuses a value held elsewhere with a generic code, and the owner keeps it', async () => {
    const res = await call(
      lk,
      await login(lk, attacker.ownerEmail),
      'POST',
      `/api/v1/orgs/${attacker.slug}/tokens/import`,
      {
        tokens: [{ ownerEmail: attacker.ownerEmail, name: 'steal', type: 'private', value: live.legacy }],
      },
    );
    expect(errorCode(res), res.body).toBe('invalid_import');
    const row = res.json().error.details.rows[0];
    expect(row.code).toBe('value_unavailable');
    expect(row.message).not.toMatch(/exist|another|other org|elsewhere/i);
    const v = await verify(lk, { token: live.legacy! });
    expect(v.code).toBe('valid');
    expect(v.owner).toMatchObject({ type: 'user', id: victim.ownerId });
  });
});

describe('real imports are charged to the verify-failure budget of the caller', () => {
  let lk: TestInstance;
  let org: Org;
  beforeAll(async () => {
    lk = await startInstance({ LATCHKEY_VERIFY_FAILURE_LIMIT: '5' });
    org = await createOrg(lk);
  });
  afterAll(() => lk.close());

  it('repeated probing gets rate_limited, and so do verifications from the same address', async () => {
    const owner = await login(lk, org.ownerEmail);
    const importRows = (count: number, dryRun = false) =>
      call(lk, owner, 'POST', `/api/v1/orgs/${org.slug}/tokens/import`, {
        dryRun,
        tokens: Array.from({ length: count }, () => ({
          ownerEmail: org.ownerEmail,
          name: 'probe',
          type: 'private',
          value: fresh(),
        })),
      });
    // More rows than the whole budget: refused before any row is looked at.
    const tooMany = await importRows(6);
    expect(tooMany.statusCode, tooMany.body).toBe(429);
    expect(errorCode(tooMany)).toBe('rate_limited');
    // Dry runs reveal nothing about other orgs and cost nothing.
    for (let i = 0; i < 10; i++) expect((await importRows(5, true)).statusCode).toBe(200);
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) statuses.push((await importRows(1)).statusCode);
    expect(statuses).toEqual([201, 201, 201, 201, 201, 429, 429, 429]);
    const limited = await importRows(1);
    expect(errorCode(limited)).toBe('rate_limited');
    // The budget is the one /verify uses: an unknown token from this address is now refused unseen.
    const res = await lk.app.inject({
      method: 'POST',
      url: '/api/v1/verify',
      payload: { token: `unknown-value-${process.pid}-xxxxxxxx` },
    });
    expect(res.statusCode, res.body).toBe(429);
    expect(errorCode(res)).toBe('rate_limited');
  });
});
