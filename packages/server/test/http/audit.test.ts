import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  call,
  createOrg,
  createServiceAccount,
  createToken,
  login,
  startInstance,
  type Org,
  type TestInstance,
} from '../helpers/harness.js';

let lk: TestInstance;
let org: Org;
beforeAll(async () => {
  lk = await startInstance();
  org = await createOrg(lk);
});
afterAll(() => lk.close());

const audit = async (q = '') =>
  (await call(lk, org.admin, 'GET', `/api/v1/orgs/${org.slug}/audit-log${q}`)).json();

describe('rule 21: every change is audited', () => {
  it('records who, what, which object, before/after, when and from which IP', async () => {
    const sa = await createServiceAccount(lk, org, 'audited');
    await call(lk, org.admin, 'PATCH', `/api/v1/orgs/${org.slug}/service-accounts/${sa.id}`, {
      disabled: true,
    });
    const entries = (await audit(`?targetId=${sa.id}`)).items;
    expect(entries.map((e: { action: string }) => e.action)).toEqual([
      'service_account.disable',
      'service_account.create',
    ]);
    const [disable] = entries;
    expect(disable.actor).toMatchObject({ type: 'token', id: expect.stringMatching(/^tok_/) });
    expect(disable.actor.label).toContain('admin');
    expect(disable.target).toEqual({ type: 'service_account', id: sa.id });
    expect(disable.before).toMatchObject({ status: 'active' });
    expect(disable.after).toMatchObject({ status: 'disabled' });
    expect(disable.ip).toBe('127.0.0.1');
    expect(Date.parse(disable.at)).toBeGreaterThan(Date.now() - 60_000);
  });

  it('covers each kind of change', async () => {
    const owner = await login(lk, org.ownerEmail);
    const sa = await createServiceAccount(lk, org, 'kinds');
    const { item } = await createToken(lk, org, { serviceAccountId: sa.id });
    await call(lk, org.admin, 'PATCH', `/api/v1/orgs/${org.slug}/tokens/${item.id}`, { name: 'renamed' });
    await call(lk, org.admin, 'DELETE', `/api/v1/orgs/${org.slug}/tokens/${item.id}`);
    const role = (
      await call(lk, owner, 'POST', `/api/v1/orgs/${org.slug}/roles`, {
        name: 'Audited role',
        permissions: ['assets:view'],
      })
    ).json();
    await call(lk, owner, 'PATCH', `/api/v1/orgs/${org.slug}/roles/${role.id}`, {
      permissions: ['assets:edit'],
    });
    await call(lk, owner, 'DELETE', `/api/v1/orgs/${org.slug}/roles/${role.id}`);
    await call(lk, owner, 'PATCH', `/api/v1/orgs/${org.slug}`, { maxTokenLifetimeDays: 90 });
    const actions = new Set((await audit('?limit=200')).items.map((e: { action: string }) => e.action));
    for (const a of [
      'org.create',
      'service_account.create',
      'token.create',
      'token.update',
      'token.revoke',
      'role.create',
      'role.update',
      'role.delete',
      'org.update',
    ]) {
      expect(actions, a).toContain(a);
    }
  });

  it('a refused change writes no entry', async () => {
    const before = (await audit('?limit=200')).items.length;
    await call(lk, org.admin, 'POST', `/api/v1/orgs/${org.slug}/service-accounts`, { name: 'not valid!' });
    await call(lk, org.admin, 'POST', `/api/v1/orgs/${org.slug}/tokens`, { name: 'x', type: 'private' });
    expect((await audit('?limit=200')).items.length).toBe(before);
  });

  it('the entry is in the same transaction as the change: if it cannot be written, the change is rolled back', async () => {
    await sql`alter table audit_log rename to audit_log_hidden`.execute(lk.handle.db);
    try {
      const res = await call(lk, org.admin, 'POST', `/api/v1/orgs/${org.slug}/service-accounts`, {
        name: 'never-written',
      });
      expect(res.statusCode).toBe(500);
      expect(res.json().error.code).toBe('internal_error');
    } finally {
      await sql`alter table audit_log_hidden rename to audit_log`.execute(lk.handle.db);
    }
    expect(
      (await call(lk, org.admin, 'GET', `/api/v1/orgs/${org.slug}/service-accounts/never-written`))
        .statusCode,
    ).toBe(404);
  });

  it('pages newest first with a cursor and filters by action', async () => {
    const page1 = await audit('?limit=2');
    expect(page1.items).toHaveLength(2);
    const page2 = await audit(`?limit=2&cursor=${page1.nextCursor}`);
    expect(page2.items[0].id).not.toBe(page1.items[1].id);
    const creates = (await audit('?action=service_account.create&limit=200')).items;
    expect(creates.every((e: { action: string }) => e.action === 'service_account.create')).toBe(true);
  });

  it('takes only the audit actions there are: an unknown action is a 400 that lists none of the log', async () => {
    const res = await call(lk, org.admin, 'GET', `/api/v1/orgs/${org.slug}/audit-log?action=token.revoked`);
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('validation_failed');
  });
});

describe('one event, one shape: a revocation is recorded alike whatever revoked it', () => {
  it('revoking a token and deleting its service account with revokeTokens write the same token.revoke entry, with the reason', async () => {
    const sa = await createServiceAccount(lk, org, 'revoked-two-ways');
    const direct = await createToken(lk, org, { serviceAccountId: sa.id, name: 'direct' });
    const withAccount = await createToken(lk, org, { serviceAccountId: sa.id, name: 'with-account' });
    const base = `/api/v1/orgs/${org.slug}`;
    expect((await call(lk, org.admin, 'DELETE', `${base}/tokens/${direct.item.id}`)).statusCode).toBe(204);
    expect(
      (await call(lk, org.admin, 'DELETE', `${base}/service-accounts/${sa.id}?revokeTokens=true`)).statusCode,
    ).toBe(200);
    const entryOf = async (id: string) => {
      const items = (await audit(`?targetId=${id}&action=token.revoke`)).items;
      expect(items).toHaveLength(1);
      return items[0];
    };
    const a = await entryOf(direct.item.id);
    const b = await entryOf(withAccount.item.id);
    expect(Object.keys(b.before).sort()).toEqual(Object.keys(a.before).sort());
    expect(Object.keys(b.after).sort()).toEqual(Object.keys(a.after).sort());
    expect(a.after).toMatchObject({ id: direct.item.id, reason: 'revoked', revokedAt: expect.any(String) });
    expect(b.before).toMatchObject({ id: withAccount.item.id, name: 'with-account', revokedAt: null });
    expect(b.after).toMatchObject({ reason: 'service_account_deleted', revokedAt: expect.any(String) });
    for (const entry of [a, b]) expect(JSON.stringify(entry)).not.toMatch(/[0-9a-f]{64}/);
  });
});
