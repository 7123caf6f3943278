import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addMember,
  call,
  createOrg,
  createServiceAccount,
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

describe('export: the filtered log as one download (issue 17 item 11)', () => {
  const exportOf = (q: string, caller = org.admin) =>
    call(lk, caller, 'GET', `/api/v1/orgs/${org.slug}/audit-log/export${q}`);
  const everything = async (q = '') => {
    const items: unknown[] = [];
    let cursor = '';
    do {
      const page = await audit(`?limit=200${q}${cursor ? `&cursor=${cursor}` : ''}`);
      items.push(...page.items);
      cursor = page.nextCursor ?? '';
    } while (cursor);
    return items;
  };

  it('JSON lines by default: every entry the list has, in its order, as an attachment', async () => {
    await createServiceAccount(lk, org, 'exported');
    const res = await exportOf('');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toBe('application/x-ndjson; charset=utf-8');
    expect(res.headers['content-disposition']).toMatch(
      new RegExp(`^attachment; filename="audit-${org.slug}-\\d{4}-\\d{2}-\\d{2}\\.jsonl"$`),
    );
    expect(res.headers['cache-control']).toBe('no-store');
    const lines = res.body
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as unknown);
    expect(lines).toEqual(await everything());
    expect(lines.length).toBeGreaterThan(2);
  });

  it('CSV with a header, one row per entry, filtered like the list', async () => {
    const res = await exportOf('?format=csv&action=service_account.create');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    const rows = parse(res.body) as string[][];
    expect(rows[0]).toEqual([
      'at',
      'action',
      'actor_type',
      'actor_id',
      'actor',
      'target_type',
      'target_id',
      'ip',
      'before',
      'after',
    ]);
    const listed = (await everything('&action=service_account.create')) as { id: string; at: string }[];
    expect(rows.slice(1).map((r) => r[1])).toEqual(listed.map(() => 'service_account.create'));
    expect(rows.slice(1).map((r) => r[0])).toEqual(listed.map((e) => e.at));
    expect(JSON.parse(rows[1]![9]!)).toMatchObject({ name: expect.any(String) });
  });

  it('needs audit_log:view, and refuses an unknown format or filter', async () => {
    await call(lk, org.admin, 'POST', `/api/v1/orgs/${org.slug}/roles`, {
      name: 'token-reader',
      permissions: ['tokens:view'],
    });
    const reader = await addMember(lk, org, `reader@${org.slug}.test`, 'token-reader');
    expect((await exportOf('', reader.caller)).statusCode).toBe(403);
    expect((await exportOf('?format=xlsx')).statusCode).toBe(400);
    expect((await exportOf('?action=nothing.such')).statusCode).toBe(400);
    expect((await exportOf('?since=yesterday')).statusCode).toBe(400);
  });
});
