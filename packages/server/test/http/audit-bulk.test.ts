import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addMember,
  call,
  createOrg,
  createServiceAccount,
  roleId,
  startInstance,
  type Org,
  type TestInstance,
} from '../helpers/harness.js';

/**
 * A bulk change is one audit entry listing each token's change (issue 17 item 1), and each token's own
 * history (the log filtered by its id) still shows it.
 */
let lk: TestInstance;
let org: Org;
beforeAll(async () => {
  lk = await startInstance();
  org = await createOrg(lk);
});
afterAll(() => lk.close());

interface Entry {
  id: string;
  action: string;
  target: { type: string; id: string | null };
  after: { action: string; count: number; changes: { action: string; id: string; after: unknown }[] };
}
const audit = async (q = '') =>
  (await call(lk, org.admin, 'GET', `/api/v1/orgs/${org.slug}/audit-log?limit=200${q}`)).json()
    .items as Entry[];
const tokenOf = async (serviceAccountId: string, name: string) =>
  (
    await call(lk, org.admin, 'POST', `/api/v1/orgs/${org.slug}/tokens`, {
      name,
      type: 'private',
      serviceAccountId,
    })
  ).json().item.id as string;

describe('bulk changes in the audit log', () => {
  it('a bulk revoke of three tokens writes one entry naming all three; each token history shows it', async () => {
    const sa = await createServiceAccount(lk, org, 'bulk-audit');
    const ids = [await tokenOf(sa.id, 'one'), await tokenOf(sa.id, 'two'), await tokenOf(sa.id, 'three')];
    const before = (await audit()).length;
    const res = await call(lk, org.admin, 'POST', `/api/v1/orgs/${org.slug}/tokens/bulk`, {
      action: 'revoke',
      ids,
    });
    expect(res.statusCode, res.body).toBe(200);
    const entries = await audit();
    expect(entries.length - before).toBe(1);
    const [bulk] = entries;
    expect(bulk).toMatchObject({
      action: 'token.bulk_change',
      target: { type: 'token', id: null },
      after: { action: 'revoke', count: 3 },
    });
    expect(bulk!.after.changes.map((c) => [c.action, c.id])).toEqual(ids.map((id) => ['token.revoke', id]));
    expect(bulk!.after.changes[0]!.after).toMatchObject({ revokedAt: expect.any(String), reason: 'revoked' });
    for (const id of ids) {
      const history = await audit(`&targetId=${id}`);
      expect(history.map((e) => e.action)).toEqual(['token.bulk_change', 'token.create']);
    }
    // Filtered by action, the bulk entry is found as itself.
    expect((await audit('&action=token.bulk_change')).map((e) => e.id)).toContain(bulk!.id);
  });

  it("a bulk change of one token is that token's own entry", async () => {
    const sa = await createServiceAccount(lk, org, 'bulk-single');
    const id = await tokenOf(sa.id, 'only');
    const res = await call(lk, org.admin, 'POST', `/api/v1/orgs/${org.slug}/tokens/bulk`, {
      action: 'revoke',
      ids: [id],
    });
    expect(res.statusCode, res.body).toBe(200);
    const [last] = await audit();
    expect(last).toMatchObject({ action: 'token.revoke', target: { type: 'token', id } });
  });

  it('a refused bulk change writes no entry at all', async () => {
    const sa = await createServiceAccount(lk, org, 'bulk-refused');
    const id = await tokenOf(sa.id, 'x');
    const before = (await audit()).length;
    const res = await call(lk, org.admin, 'POST', `/api/v1/orgs/${org.slug}/tokens/bulk`, {
      action: 'revoke',
      ids: [id, 'tok_00000000000000000000'],
    });
    expect(res.statusCode).toBe(404);
    expect((await audit()).length).toBe(before);
  });

  it("moving all of a member's tokens is one entry too", async () => {
    const member = await addMember(lk, org, `leaver@${org.slug}.test`, 'Admin');
    const target = await createServiceAccount(lk, org, 'heir', { roleId: await roleId(lk, org, 'Admin') });
    const imported = await call(lk, org.admin, 'POST', `/api/v1/orgs/${org.slug}/tokens/import`, {
      tokens: [1, 2].map((i) => ({
        ownerEmail: `leaver@${org.slug}.test`,
        name: `legacy ${i}`,
        type: 'private',
        value: `legacy-value-${i}-${'x'.repeat(24)}`,
      })),
    });
    expect(imported.statusCode, imported.body).toBeLessThan(300);
    const before = (await audit()).length;
    const moved = await call(
      lk,
      org.admin,
      'POST',
      `/api/v1/orgs/${org.slug}/members/${member.userId}/reassign-tokens`,
      { serviceAccountId: target.id },
    );
    expect(moved.statusCode, moved.body).toBe(200);
    const entries = await audit();
    expect(entries.length - before).toBe(1);
    expect(entries[0]).toMatchObject({
      action: 'token.bulk_change',
      after: { action: 'reassign', count: 2 },
    });
  });
});
