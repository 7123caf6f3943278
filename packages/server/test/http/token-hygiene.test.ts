import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addMember,
  bearer,
  call,
  createOrg,
  createServiceAccount,
  createToken,
  errorCode,
  login,
  roleId,
  startInstance,
  testClock,
  type Caller,
  type Org,
  type TestInstance,
} from '../helpers/harness.js';
import { waitUntil } from '../helpers/wait.js';

/**
 * Stale-token hygiene through HTTP (issue 14, part 4), on SQLite and PostgreSQL: the report's reasons
 * and suggested actions, judged by the injected clock, and the bulk action — all or nothing, each token
 * through its own use case's checks, caches told only after the commit.
 */
const DAY = 86_400_000;
const clock = testClock(new Date('2026-01-01T00:00:00Z'));
let lk: TestInstance;
let org: Org & { owner: Caller; viewer: Caller };
let sa: { id: string };
let disabledSa: { id: string };
beforeAll(async () => {
  lk = await startInstance({}, { clock });
  const o = await createOrg(lk);
  org = {
    ...o,
    owner: await login(lk, o.ownerEmail),
    viewer: (await addMember(lk, o, `viewer@${o.slug}.test`, 'Viewer')).caller,
  };
  const admin = await roleId(lk, org, 'Admin');
  sa = await createServiceAccount(lk, org, 'backend', { roleId: admin });
  disabledSa = await createServiceAccount(lk, org, 'retired-job', { roleId: admin });
});
afterAll(() => lk.close());

const base = () => `/api/v1/orgs/${org.slug}/tokens`;
const check = async (token: string, origin?: string) => {
  const res = await lk.app.inject({ method: 'POST', url: '/api/v1/verify', payload: { token, origin } });
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as { valid: boolean; code: string };
};

interface Row {
  id: string;
  name: string;
  findings: { reason: string; action: string }[];
  action: string;
  domains: string[];
}
interface Report {
  unusedDays: number;
  rotateDays: number;
  counts: Record<string, number>;
  items: Row[];
}
const report = async (query = '', caller: Caller = org.admin): Promise<Report> => {
  const res = await call(lk, caller, 'GET', `${base()}/report${query}`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
};
const rowOf = (r: Report, id: string) => r.items.find((i) => i.id === id);
const reasonsOf = (r: Report, id: string) => rowOf(r, id)?.findings.map((f) => f.reason) ?? [];
const bulk = (body: Record<string, unknown>, caller: Caller = org.admin) =>
  call(lk, caller, 'POST', `${base()}/bulk`, body);
const getToken = async (id: string) => (await call(lk, org.admin, 'GET', `${base()}/${id}`)).json();

/** Console sessions end with the injected clock's jumps: sign the people in again. */
async function signInAgain() {
  org.owner = await login(lk, org.ownerEmail);
  org.viewer = await login(lk, `viewer@${org.slug}.test`);
}

/** A legacy token owned by the org's owner (import is the one way to get one). */
async function legacyToken(name: string) {
  const value = `legacy-${name}-${Math.random().toString(36).slice(2)}-value`;
  const res = await call(lk, org.owner, 'POST', `${base()}/import`, {
    tokens: [{ ownerEmail: org.ownerEmail, name, type: 'private', value }],
  });
  expect(res.statusCode, res.body).toBe(201);
  return { id: res.json().rows[0].tokenId as string, value };
}

describe('the report', () => {
  let httpPublic: string;
  let noExpiry: string;
  let expiring: string;
  let used: { id: string; token: string };
  let legacy: string;
  let ofDisabled: string;
  let revoked: string;

  beforeAll(async () => {
    clock.set(new Date('2026-01-01T00:00:00Z'));
    httpPublic = (
      await createToken(lk, org, {
        serviceAccountId: sa.id,
        name: 'widget',
        type: 'public',
        domains: ['http://shop.example', 'https://shop.example'],
      })
    ).item.id;
    noExpiry = (await createToken(lk, org, { serviceAccountId: sa.id, name: 'forever' })).item.id;
    expiring = (
      await createToken(lk, org, {
        serviceAccountId: sa.id,
        name: 'yearly',
        expiresAt: '2027-06-01T00:00:00.000Z',
      })
    ).item.id;
    const u = await createToken(lk, org, { serviceAccountId: sa.id, name: 'busy' });
    used = { id: u.item.id, token: u.token };
    legacy = (await legacyToken('laptop-script')).id;
    ofDisabled = (await createToken(lk, org, { serviceAccountId: disabledSa.id, name: 'nightly' })).item.id;
    expect(
      (
        await call(
          lk,
          org.admin,
          'POST',
          `/api/v1/orgs/${org.slug}/service-accounts/${disabledSa.id}/suspend`,
          {},
        )
      ).statusCode,
    ).toBe(200);
    revoked = (await createToken(lk, org, { serviceAccountId: sa.id, name: 'gone' })).item.id;
    expect((await call(lk, org.admin, 'DELETE', `${base()}/${revoked}`)).statusCode).toBe(204);
    expect((await check(used.token)).valid).toBe(true);
    await lk.usage.flush();
  });

  it('on day one lists what needs no waiting: http origins, people, disabled accounts, no expiry', async () => {
    const r = await report();
    expect(r).toMatchObject({ unusedDays: 90, rotateDays: 365 });
    expect(reasonsOf(r, httpPublic)).toEqual(['http_origin']);
    expect(rowOf(r, httpPublic)?.action).toBe('use_https');
    expect(reasonsOf(r, noExpiry)).toEqual(['no_expiry']);
    expect(rowOf(r, noExpiry)?.action).toBe('set_expiry');
    expect(reasonsOf(r, legacy)).toEqual(['user_owned', 'no_expiry']);
    expect(rowOf(r, legacy)?.action).toBe('reassign');
    expect(reasonsOf(r, ofDisabled)).toEqual(['service_account_disabled', 'no_expiry']);
    expect(rowOf(r, ofDisabled)?.action).toBe('revoke');
    // Fine tokens and revoked ones are not in it.
    expect(rowOf(r, expiring)).toBeUndefined();
    expect(rowOf(r, revoked)).toBeUndefined();
    expect(r.counts).toMatchObject({ http_origin: 1, user_owned: 1, service_account_disabled: 1 });
  });

  it('after the unused window, never-used and unused tokens suggest revoking', async () => {
    clock.set(new Date(Date.parse('2026-01-01T00:00:00Z') + 91 * DAY));
    const r = await report();
    expect(reasonsOf(r, expiring)).toEqual(['never_used']);
    expect(rowOf(r, expiring)?.action).toBe('revoke');
    expect(reasonsOf(r, used.id)).toEqual(['unused', 'no_expiry']);
    expect(reasonsOf(r, httpPublic)).toEqual(['never_used', 'http_origin']);
    // The window is the caller's to choose per report.
    const longer = await report('?unusedDays=120');
    expect(longer.unusedDays).toBe(120);
    expect(rowOf(longer, expiring)).toBeUndefined();
    expect(reasonsOf(longer, used.id)).toEqual(['no_expiry']);
  });

  it('a private value older than the rotation window suggests rotating; a rotation resets it', async () => {
    clock.set(new Date(Date.parse('2026-01-01T00:00:00Z') + 366 * DAY));
    const r = await report('?unusedDays=3650');
    expect(reasonsOf(r, expiring)).toEqual(['old_secret']);
    expect(rowOf(r, expiring)?.action).toBe('rotate');
    // Public values are public by design: their age is not a finding.
    expect(reasonsOf(r, httpPublic)).toEqual(['http_origin']);
    const res = await call(lk, org.admin, 'POST', `${base()}/${expiring}/rotate`, { retire: 'now' });
    expect(res.statusCode, res.body).toBe(201);
    expect(rowOf(await report('?unusedDays=3650'), expiring)).toBeUndefined();
  });

  it('expired tokens are not in it; a viewer may read it; the window is validated', async () => {
    clock.set(new Date('2027-07-01T00:00:00Z'));
    await signInAgain();
    const r = await report('', org.viewer);
    expect(rowOf(r, expiring)).toBeUndefined();
    for (const q of ['?unusedDays=0', '?unusedDays=3651', '?unusedDays=abc', '?other=1']) {
      const res = await call(lk, org.admin, 'GET', `${base()}/report${q}`);
      expect(res.statusCode, q).toBe(400);
      expect(errorCode(res)).toBe('validation_failed');
    }
  });

  it("another org's admin cannot read it", async () => {
    const other = await createOrg(lk);
    const res = await call(lk, other.admin, 'GET', `${base()}/report`);
    expect([403, 404]).toContain(res.statusCode);
    expect(res.body).not.toContain(httpPublic);
  });
});

describe('bulk actions', () => {
  const publicToken = async (name: string, domains: string[]) =>
    createToken(lk, org, { serviceAccountId: sa.id, name, type: 'public', domains });
  const privateToken = async (name: string) => createToken(lk, org, { serviceAccountId: sa.id, name });

  beforeAll(async () => {
    clock.set(new Date('2026-03-01T00:00:00Z'));
    await signInAgain();
  });

  it('use_https moves http:// origins to https:// (once each), and verification follows at once', async () => {
    const a = await publicToken('a', ['http://a.example', 'https://a.example', 'http://a.example:8080']);
    const b = await publicToken('b', ['https://b.example']);
    expect((await check(a.token, 'http://a.example')).valid).toBe(true); // now in the cache
    const res = await bulk({ action: 'use_https', ids: [a.item.id, b.item.id] });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({
      action: 'use_https',
      items: [
        { id: a.item.id, token: null },
        { id: b.item.id, token: null },
      ],
    });
    expect((await getToken(a.item.id)).domains).toEqual(['https://a.example', 'https://a.example:8080']);
    expect((await getToken(b.item.id)).domains).toEqual(['https://b.example']);
    expect(await check(a.token, 'http://a.example')).toMatchObject({
      valid: false,
      code: 'origin_not_allowed',
    });
    expect((await check(a.token, 'https://a.example')).valid).toBe(true);
  });

  it('revoke: every token stops verifying at once (the caches hear of it after the commit)', async () => {
    const ts = await Promise.all([privateToken('r1'), privateToken('r2'), privateToken('r3')]);
    for (const t of ts) expect((await check(t.token)).valid).toBe(true);
    const res = await bulk({ action: 'revoke', ids: ts.map((t) => t.item.id) });
    expect(res.statusCode, res.body).toBe(200);
    for (const t of ts) expect(await check(t.token)).toMatchObject({ valid: false, code: 'token_revoked' });
    // One audit entry for the change (issue 17 item 1), found from each token's own history.
    for (const t of ts) {
      const audit = await call(
        lk,
        org.admin,
        'GET',
        `/api/v1/orgs/${org.slug}/audit-log?targetId=${t.item.id}`,
      );
      const [last] = audit.json().items as {
        action: string;
        after: { changes: { id: string; action: string }[] };
      }[];
      expect(last!.action).toBe('token.bulk_change');
      expect(last!.after.changes).toContainEqual(
        expect.objectContaining({ id: t.item.id, action: 'token.revoke' }),
      );
    }
  });

  it('set_expiry sets every expiry under the org policy; a refusal changes nothing', async () => {
    const ts = await Promise.all([privateToken('e1'), privateToken('e2')]);
    const ids = ts.map((t) => t.item.id);
    const res = await bulk({ action: 'set_expiry', ids, expiresAt: '2026-06-01T00:00:00.000Z' });
    expect(res.statusCode, res.body).toBe(200);
    for (const id of ids) expect((await getToken(id)).expiresAt).toBe('2026-06-01T00:00:00.000Z');
    const past = await bulk({ action: 'set_expiry', ids, expiresAt: '2025-01-01T00:00:00.000Z' });
    expect(past.statusCode).toBe(400);
    for (const id of ids) expect((await getToken(id)).expiresAt).toBe('2026-06-01T00:00:00.000Z');
  });

  it('reassign moves legacy tokens to a service account, value unchanged', async () => {
    const l1 = await legacyToken('l1');
    const l2 = await legacyToken('l2');
    const res = await bulk({ action: 'reassign', ids: [l1.id, l2.id], serviceAccountId: sa.id }, org.owner);
    expect(res.statusCode, res.body).toBe(200);
    for (const l of [l1, l2]) {
      expect(await getToken(l.id)).toMatchObject({ legacy: false, owner: { id: sa.id } });
      expect((await check(l.value)).valid).toBe(true);
    }
  });

  it('rotate answers each new value once; the old values retire on first use of the new', async () => {
    const ts = await Promise.all([privateToken('o1'), privateToken('o2')]);
    const res = await bulk({ action: 'rotate', ids: ts.map((t) => t.item.id), retire: 'on_first_use' });
    expect(res.statusCode, res.body).toBe(200);
    const items = res.json().items as { id: string; token: string }[];
    expect(items.map((i) => i.id)).toEqual(ts.map((t) => t.item.id));
    for (const [i, t] of ts.entries()) {
      expect(items[i]!.token).toMatch(/^lk_prv_/);
      expect(await check(t.token)).toMatchObject({ valid: true });
      expect((await check(items[i]!.token)).valid).toBe(true);
    }
    // The new value's first use retires the old one: after the verification answered, so poll.
    for (const t of ts) {
      await waitUntil(async () => (await check(t.token)).code === 'token_rotated', 2000);
      expect((await getToken(t.item.id)).previousSecret).toBeNull();
    }
  });

  it('all or nothing: one refused token names itself and nothing else changes', async () => {
    const ok = await privateToken('keep-me');
    const other = await createOrg(lk);
    const foreignSa = await createServiceAccount(lk, other, 'theirs');
    const foreign = await createToken(lk, other, { serviceAccountId: foreignSa.id, name: 'theirs' });
    const res = await bulk({ action: 'revoke', ids: [ok.item.id, foreign.item.id] });
    expect(res.statusCode).toBe(404);
    expect(res.json().error).toMatchObject({ code: 'not_found', details: { id: foreign.item.id } });
    expect((await getToken(ok.item.id)).status).toBe('active');
    expect((await check(ok.token)).valid).toBe(true);
    expect((await check(foreign.token)).valid).toBe(true);

    // An Admin may not touch the Owner's legacy token (it grants more than they hold), even in a batch.
    const mine = await legacyToken('owner-only');
    const esc = await bulk({ action: 'revoke', ids: [ok.item.id, mine.id] });
    expect(esc.statusCode).toBe(403);
    expect(esc.json().error).toMatchObject({ code: 'permission_escalation', details: { id: mine.id } });
    expect((await getToken(ok.item.id)).status).toBe('active');
    expect((await check(mine.value)).valid).toBe(true);
  });

  it('a large batch lets cached verifications through while it works (review F2)', async () => {
    const hot = await privateToken('hot');
    expect((await check(hot.token)).valid).toBe(true); // cached from now on
    const ids: string[] = [];
    for (let i = 0; i < 60; i++) ids.push((await privateToken(`batch-${i}`)).item.id);
    let finished = false;
    const running = bulk({ action: 'set_expiry', ids, expiresAt: '2026-09-01T00:00:00.000Z' }).then((r) => {
      finished = true;
      return r;
    });
    await new Promise((r) => setImmediate(r));
    expect((await check(hot.token)).valid).toBe(true);
    expect(finished).toBe(false);
    expect((await running).statusCode).toBe(200);
  });

  it('use_https on a token with nothing to move still checks the caller and the token', async () => {
    const strong = await publicToken('strong-https', ['https://strong.example']);
    // A token editor that holds less than the Admin-owned token grants.
    const weakRole = await call(lk, org.owner, 'POST', `/api/v1/orgs/${org.slug}/roles`, {
      name: `token-ops-${Date.now()}`,
      permissions: ['tokens:view', 'tokens:edit'],
    });
    expect(weakRole.statusCode, weakRole.body).toBe(201);
    const ops = await createServiceAccount(lk, org, `ops-${Date.now()}`, { roleId: weakRole.json().id });
    const opsToken = await createToken(lk, org, { serviceAccountId: ops.id, name: 'ops' });
    const res = await bulk({ action: 'use_https', ids: [strong.item.id] }, bearer(opsToken.token));
    expect(res.statusCode, res.body).toBe(403);
    expect(errorCode(res)).toBe('permission_escalation');
    const gone = await publicToken('gone-https', ['https://gone.example']);
    expect((await call(lk, org.admin, 'DELETE', `${base()}/${gone.item.id}`)).statusCode).toBe(204);
    const revoked = await bulk({ action: 'use_https', ids: [gone.item.id] });
    expect(revoked.statusCode).toBe(409);
    expect(errorCode(revoked)).toBe('token_revoked');
  });

  it('refuses bad input with 400 and callers without tokens:edit with 403', async () => {
    const t = await privateToken('valid');
    const bad: Record<string, unknown>[] = [
      { action: 'revoke', ids: [] },
      { action: 'revoke', ids: [t.item.id, t.item.id] },
      { action: 'revoke', ids: Array.from({ length: 1001 }, (_, i) => `tok_${String(i).padStart(22, 'a')}`) },
      { action: 'explode', ids: [t.item.id] },
      { action: 'set_expiry', ids: [t.item.id] },
      { action: 'revoke', ids: ['not-a-token-id'] },
      { action: 'reassign', ids: [t.item.id], serviceAccountId: 'sa_\u0000' },
      { action: 'rotate', ids: [t.item.id] },
      { action: 'revoke', ids: [t.item.id], expiresAt: '2026-06-01T00:00:00.000Z' },
      { action: 'set_expiry', ids: [t.item.id], expiresAt: 'tomorrow' },
      { action: 'rotate', ids: [t.item.id], retire: 'now', overlapSeconds: 0 },
      { action: 'reassign', ids: [t.item.id], serviceAccountId: sa.id, permissions: 'all' },
      { action: 'use_https', ids: [t.item.id], retire: 'now' },
    ];
    for (const body of bad) {
      const res = await bulk(body);
      expect(res.statusCode, JSON.stringify(body).slice(0, 100)).toBe(400);
      expect(errorCode(res)).toBe('validation_failed');
    }
    // A body nested far deeper than any real one is a 400 too, never a 500 (review F3).
    const deep = await lk.app.inject({
      method: 'POST',
      url: `${base()}/bulk`,
      headers: { authorization: `Bearer ${org.adminToken}`, 'content-type': 'application/json' },
      payload: `{"action":"revoke","ids":${'['.repeat(100_000)}${']'.repeat(100_000)}}`,
    });
    expect([400, 413]).toContain(deep.statusCode);
    const viewer = await bulk({ action: 'revoke', ids: [t.item.id] }, org.viewer);
    expect(viewer.statusCode).toBe(403);
    expect((await getToken(t.item.id)).status).toBe('active');
  });
});
