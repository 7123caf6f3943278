import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  call,
  createOrg,
  createServiceAccount,
  createToken,
  errorCode,
  roleId,
  startInstance,
  testClock,
  type Org,
  type TestInstance,
} from '../helpers/harness.js';

/**
 * The token list's orders, its total, and bulk changes to everything a filter matches (issue 17 item 5),
 * on both stores.
 */
const clock = testClock(new Date('2026-03-01T00:00:00Z'));
let lk: TestInstance;
let org: Org;
let sa: { id: string };
const names = ['delta', 'alpha', 'echo', 'charlie', 'bravo'];
const ids: Record<string, string> = {};
beforeAll(async () => {
  lk = await startInstance({}, { clock });
  org = await createOrg(lk);
  sa = await createServiceAccount(lk, org, 'orders', { roleId: await roleId(lk, org, 'Admin') });
  for (const name of names) {
    clock.advance(60_000);
    // charlie and alpha expire (alpha first); the rest never do.
    const expiresAt =
      name === 'alpha' ? '2026-06-01T00:00:00.000Z' : name === 'charlie' ? '2026-09-01T00:00:00.000Z' : null;
    ids[name] = (await createToken(lk, org, { name, serviceAccountId: sa.id, expiresAt })).item.id;
  }
  // echo was used last, bravo before it; the others never.
  for (const name of ['bravo', 'echo']) {
    await lk.handle.db
      .updateTable('tokens')
      .set({ lastUsedAt: clock.now().toISOString() })
      .where('id', '=', ids[name]!)
      .execute();
    clock.advance(1000);
  }
});
afterAll(() => lk.close());

const list = async (q: string) => {
  const res = await call(lk, org.admin, 'GET', `/api/v1/orgs/${org.slug}/tokens?owner=${sa.id}${q}`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as { items: { id: string; name: string }[]; nextCursor: string | null; total: number };
};
/** Every page of an order, two tokens at a time: the cursor carries the order's own key. */
const allPages = async (sort: string) => {
  const seen: string[] = [];
  let cursor = '';
  do {
    const page = await list(`&sort=${sort}&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
    seen.push(...page.items.map((t) => t.name));
    cursor = page.nextCursor ?? '';
  } while (cursor);
  return seen;
};

describe('the token list: orders and total', () => {
  it.each([
    ['created_desc', ['bravo', 'charlie', 'echo', 'alpha', 'delta']],
    ['created_asc', ['delta', 'alpha', 'echo', 'charlie', 'bravo']],
    ['name_asc', ['alpha', 'bravo', 'charlie', 'delta', 'echo']],
    ['name_desc', ['echo', 'delta', 'charlie', 'bravo', 'alpha']],
  ])('%s, page by page, each token once', async (sort, expected) => {
    expect(await allPages(sort)).toEqual(expected);
  });

  // Ties (never used, never expiring) go by id, which is random: only their place is fixed.
  it.each([
    ['last_used_desc', ['echo', 'bravo'], ['alpha', 'charlie', 'delta']],
    ['expires_asc', ['alpha', 'charlie'], ['bravo', 'delta', 'echo']],
  ])('%s: the tokens with a value first, in order; the rest after', async (sort, first, rest) => {
    const seen = await allPages(sort);
    expect(seen.slice(0, first.length)).toEqual(first);
    expect(seen.slice(first.length).sort()).toEqual(rest);
  });

  it('is newest first by default, and says how many match the filters in all', async () => {
    const page = await list('&limit=2');
    expect(page.items.map((t) => t.name)).toEqual(['bravo', 'charlie']);
    expect(page.total).toBe(5);
    expect((await list('&search=charlie&limit=1')).total).toBe(1);
    expect((await list('&type=public')).total).toBe(0);
  });

  it('refuses a forged cursor whose key is not a key of its order (never a 500 from the store)', async () => {
    const forged = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    for (const [sort, key] of [
      ['created_desc', 'x'],
      ['last_used_desc', "2026-01-01' or 1=1 --"],
      ['expires_asc', '2026-13-01T00:00:00Z'],
      ['name_asc', 'a\u0000b'],
    ] as const) {
      const cursor = forged({ sort, key, id: ids.alpha });
      const res = await call(
        lk,
        org.admin,
        'GET',
        `/api/v1/orgs/${org.slug}/tokens?sort=${sort}&cursor=${cursor}`,
      );
      expect(res.statusCode, `${sort} ${key}: ${res.body}`).toBe(400);
      expect(errorCode(res)).toBe('validation_failed');
    }
  });

  it("refuses an unknown order, and a cursor from another order's pages", async () => {
    const bad = await call(lk, org.admin, 'GET', `/api/v1/orgs/${org.slug}/tokens?sort=random`);
    expect(bad.statusCode).toBe(400);
    const cursor = (await list('&sort=name_asc&limit=2')).nextCursor!;
    const mixed = await call(
      lk,
      org.admin,
      'GET',
      `/api/v1/orgs/${org.slug}/tokens?sort=created_desc&cursor=${cursor}`,
    );
    expect(mixed.statusCode).toBe(400);
    expect(errorCode(mixed)).toBe('validation_failed');
  });
});

describe('bulk changes to every token a filter matches', () => {
  it('revokes all matching live tokens in one transaction; nothing else changes', async () => {
    const other = await createServiceAccount(lk, org, 'bystander');
    const keep = await createToken(lk, org, { name: 'keep-me', serviceAccountId: other.id });
    const matching = { owner: sa.id };
    const res = await call(lk, org.admin, 'POST', `/api/v1/orgs/${org.slug}/tokens/bulk`, {
      action: 'revoke',
      matching,
    });
    expect(res.statusCode, res.body).toBe(200);
    expect((res.json().items as { id: string }[]).map((i) => i.id).sort()).toEqual(Object.values(ids).sort());
    expect((await list('')).total).toBe(0);
    const kept = await call(lk, org.admin, 'GET', `/api/v1/orgs/${org.slug}/tokens/${keep.item.id}`);
    expect(kept.json().status).toBe('active');
  });

  it('with expectedCount, refuses when the filters match another number now, and changes nothing', async () => {
    const owner = await createServiceAccount(lk, org, 'counted');
    for (const name of ['c1', 'c2', 'c3']) await createToken(lk, org, { name, serviceAccountId: owner.id });
    const res = await call(lk, org.admin, 'POST', `/api/v1/orgs/${org.slug}/tokens/bulk`, {
      action: 'revoke',
      matching: { owner: owner.id },
      expectedCount: 2, // the caller saw two; a third was created since
    });
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json().error.message).toMatch(/match 3 tokens now, not the 2/);
    const still = await call(lk, org.admin, 'GET', `/api/v1/orgs/${org.slug}/tokens?owner=${owner.id}`);
    expect(still.json().total).toBe(3);
    const ok = await call(lk, org.admin, 'POST', `/api/v1/orgs/${org.slug}/tokens/bulk`, {
      action: 'revoke',
      matching: { owner: owner.id },
      expectedCount: 3,
    });
    expect(ok.statusCode, ok.body).toBe(200);
  });

  it('refuses ids and matching together, or neither', async () => {
    for (const body of [
      { action: 'revoke', ids: [ids.echo!], matching: { owner: sa.id } },
      { action: 'revoke' },
    ]) {
      const res = await call(lk, org.admin, 'POST', `/api/v1/orgs/${org.slug}/tokens/bulk`, body);
      expect(res.statusCode, res.body).toBe(400);
      expect(errorCode(res)).toBe('validation_failed');
    }
  });
});
