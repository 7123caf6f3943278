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
 * Rotation, suspension and leak reports through HTTP (issue 14), on SQLite and PostgreSQL. Time is the
 * injected clock: `retire=at` and the overlap bounds are judged by it, not by the wall clock.
 */
const clock = testClock(new Date('2026-06-01T00:00:00Z'));
let lk: TestInstance;
let org: Org & { owner: Caller; viewer: Caller };
let sa: { id: string };
beforeAll(async () => {
  lk = await startInstance({}, { clock });
  const o = await createOrg(lk);
  org = {
    ...o,
    owner: await login(lk, o.ownerEmail),
    viewer: (await addMember(lk, o, `viewer@${o.slug}.test`, 'Viewer')).caller,
  };
  sa = await createServiceAccount(lk, org, 'backend', { roleId: await roleId(lk, org, 'Admin') });
});
afterAll(() => lk.close());

interface Answer {
  valid: boolean;
  code: string;
  tokenId: string | null;
  secret: 'current' | 'previous' | null;
}
const check = async (token: string, origin?: string): Promise<Answer> => {
  const res = await lk.app.inject({ method: 'POST', url: '/api/v1/verify', payload: { token, origin } });
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
};
const base = () => `/api/v1/orgs/${org.slug}/tokens`;
const rotate = (id: string, body: Record<string, unknown>, caller = org.admin) =>
  call(lk, caller, 'POST', `${base()}/${id}/rotate`, body);
const getToken = async (id: string) => (await call(lk, org.admin, 'GET', `${base()}/${id}`)).json();
// Each its own name: one owner's live tokens may not share one.
let made = 0;
const privateToken = (name = `svc ${++made}`) => createToken(lk, org, { serviceAccountId: sa.id, name });

interface Rotated {
  token: string;
  item: {
    id: string;
    name: string;
    hint: string;
    status: string;
    rotatedAt: string | null;
    previousSecret: {
      hint: string;
      rotatedAt: string;
      retiresAt: string | null;
      retiresOnFirstUse: boolean;
    } | null;
  };
}

describe('rotate', () => {
  it('keeps the token and changes only its secret; both values verify during the overlap', async () => {
    const t = await createToken(lk, org, {
      serviceAccountId: sa.id,
      name: 'checkout',
      permissions: ['assets:view'],
    });
    expect((await check(t.token)).code).toBe('valid');
    const before = await getToken(t.item.id);
    const res = await rotate(t.item.id, { retire: 'at', at: '2026-06-02T00:00:00Z' });
    expect(res.statusCode, res.body).toBe(201);
    const r = res.json() as Rotated;
    expect(r.token).not.toBe(t.token);
    expect(r.item.id).toBe(t.item.id);
    expect(r.item.hint).not.toBe(before.hint);
    expect(r.item).toMatchObject({
      name: 'checkout',
      type: 'private',
      permissions: ['assets:view'],
      owner: before.owner,
      createdAt: before.createdAt,
      status: 'active',
      rotatedAt: '2026-06-01T00:00:00.000Z',
      previousSecret: {
        hint: before.hint,
        rotatedAt: '2026-06-01T00:00:00.000Z',
        retiresAt: '2026-06-02T00:00:00.000Z',
        retiresOnFirstUse: false,
      },
    });
    const fresh = await check(r.token);
    const old = await check(t.token);
    expect(fresh).toMatchObject({ valid: true, tokenId: t.item.id, secret: 'current' });
    expect(old).toMatchObject({ valid: true, tokenId: t.item.id, secret: 'previous' });
  });

  it('retire=at: the old value retires at that time (injected clock), answered token_rotated', async () => {
    const t = await privateToken();
    const r = (await rotate(t.item.id, { retire: 'at', at: '2026-06-01T01:00:00Z' })).json() as Rotated;
    clock.set(new Date('2026-06-01T00:59:59Z'));
    expect((await check(t.token)).code).toBe('valid');
    clock.set(new Date('2026-06-01T01:00:00Z'));
    expect(await check(t.token)).toMatchObject({ valid: false, code: 'token_rotated', tokenId: null });
    expect((await check(r.token)).code).toBe('valid');
    expect((await getToken(t.item.id)).previousSecret).toBeNull();
    clock.set(new Date('2026-06-01T00:00:00Z'));
  });

  it('retire=now: the old value stops at once, even where it was cached', async () => {
    const t = await privateToken();
    expect((await check(t.token)).code).toBe('valid'); // cached
    const r = (await rotate(t.item.id, { retire: 'now' })).json() as Rotated;
    expect(r.item.previousSecret).toBeNull();
    expect((await check(t.token)).code).toBe('token_rotated');
    expect((await check(r.token)).secret).toBe('current');
  });

  it('retire=on_first_use: the old value verifies until the new one first verifies, then never again', async () => {
    const t = await privateToken();
    const r = (await rotate(t.item.id, { retire: 'on_first_use' })).json() as Rotated;
    expect(r.item.previousSecret).toMatchObject({
      retiresOnFirstUse: true,
      retiresAt: '2026-06-02T00:00:00.000Z', // the default bound: one day
    });
    // The old value may be used any number of times meanwhile; it retires nothing.
    for (let i = 0; i < 3; i++) expect((await check(t.token)).secret).toBe('previous');
    expect((await check(r.token)).secret).toBe('current');
    await waitUntil(async () => (await check(t.token)).code === 'token_rotated', 2000);
    expect((await check(r.token)).code).toBe('valid');
    expect((await getToken(t.item.id)).previousSecret).toBeNull();
  });

  it('retire=on_first_use: a refused use of the new value (wrong permission) does not retire the old one', async () => {
    const t = await createToken(lk, org, {
      serviceAccountId: sa.id,
      name: 'narrow',
      permissions: ['assets:view'],
    });
    const r = (await rotate(t.item.id, { retire: 'on_first_use' })).json() as Rotated;
    const denied = await lk.app.inject({
      method: 'POST',
      url: '/api/v1/verify',
      payload: { token: r.token, permission: 'assets:edit' },
    });
    expect(denied.json().code).toBe('permission_denied');
    expect((await check(t.token)).secret).toBe('previous');
    expect((await getToken(t.item.id)).previousSecret).not.toBeNull();
  });

  it('retire=on_first_use: overlapSeconds bounds the overlap when the new value is never used', async () => {
    const t = await privateToken();
    await rotate(t.item.id, { retire: 'on_first_use', overlapSeconds: 60 });
    clock.advance(59_000);
    expect((await check(t.token)).code).toBe('valid');
    clock.advance(1_000);
    expect((await check(t.token)).code).toBe('token_rotated');
    clock.set(new Date('2026-06-01T00:00:00Z'));
  });

  it('rotating again retires the first previous value at once; a token keeps at most one', async () => {
    const t = await privateToken();
    const first = (await rotate(t.item.id, { retire: 'at', at: '2026-06-03T00:00:00Z' })).json() as Rotated;
    const second = (await rotate(t.item.id, { retire: 'at', at: '2026-06-03T00:00:00Z' })).json() as Rotated;
    expect((await check(t.token)).code).toBe('token_rotated');
    expect((await check(first.token)).secret).toBe('previous');
    expect((await check(second.token)).secret).toBe('current');
    expect(second.item.previousSecret?.hint).toBe(first.item.hint);
  });

  it('a value a rotation replaced stays the token’s: an import of it is refused as a duplicate', async () => {
    const t = await privateToken();
    await rotate(t.item.id, { retire: 'now' });
    const res = await call(lk, org.admin, 'POST', `${base()}/import`, {
      dryRun: false,
      tokens: [{ ownerEmail: org.ownerEmail, name: 'again', type: 'private', value: t.token }],
    });
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json().error.details.rows[0]).toMatchObject({ ok: false, code: 'duplicate_value' });
    expect((await check(t.token)).code).toBe('token_rotated');
  });

  it('an imported legacy value rotates onto Latchkey’s format, the legacy value in its overlap', async () => {
    const legacy = `legacy-${'x'.repeat(24)}-rotate-me`;
    // The owner imports (a legacy token carries its owner's permissions: an Admin may not) and rotates.
    const imported = await call(lk, org.owner, 'POST', `${base()}/import`, {
      dryRun: false,
      tokens: [{ ownerEmail: org.ownerEmail, name: 'old system', type: 'private', value: legacy }],
    });
    expect(imported.statusCode, imported.body).toBe(201);
    const id = (await check(legacy)).tokenId!;
    const r = (await rotate(id, { retire: 'on_first_use' }, org.owner)).json() as Rotated;
    expect(r.token).toMatch(/^lk_prv_/);
    expect((await check(legacy)).secret).toBe('previous');
    expect((await check(r.token)).secret).toBe('current');
    await waitUntil(async () => (await check(legacy)).code === 'token_rotated', 2000);
  });

  it('the org maximum lifetime applies to the new secret', async () => {
    const o = await createOrg(lk);
    const s = await createServiceAccount(lk, o, 'b', { roleId: await roleId(lk, o, 'Viewer') });
    const t = await createToken(lk, o, { serviceAccountId: s.id, name: 'x', expiresAt: null });
    const set = await call(lk, await login(lk, o.ownerEmail), 'PATCH', `/api/v1/orgs/${o.slug}`, {
      maxTokenLifetimeDays: 30,
    });
    expect(set.statusCode, set.body).toBe(200);
    const r = await call(lk, o.admin, 'POST', `/api/v1/orgs/${o.slug}/tokens/${t.item.id}/rotate`, {
      retire: 'now',
    });
    expect(r.statusCode, r.body).toBe(201);
    expect(r.json().item.expiresAt).toBe('2026-07-01T00:00:00.000Z');
  });

  it('refuses bad requests with 400 and changes nothing', async () => {
    const t = await privateToken();
    const hint = (await getToken(t.item.id)).hint;
    const bad: Record<string, unknown>[] = [
      {},
      { retire: 'later' },
      { retire: 'at' },
      { retire: 'at', at: '2026-05-31T00:00:00Z' }, // the past
      { retire: 'at', at: '2026-08-01T00:00:00Z' }, // beyond 30 days
      { retire: 'at', at: 'tomorrow' },
      { retire: 'at', at: '2026-06-02T00:00:00Z\u0000' },
      { retire: 'now', at: '2026-06-02T00:00:00Z' },
      { retire: 'now', overlapSeconds: 60 },
      { retire: 'on_first_use', overlapSeconds: 0 },
      { retire: 'on_first_use', overlapSeconds: 30 * 86_400 + 1 },
      { retire: 'on_first_use', overlapSeconds: 1.5 },
      { retire: 'now', extra: true },
    ];
    for (const body of bad) {
      const res = await rotate(t.item.id, body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(errorCode(res)).toBe('validation_failed');
    }
    expect((await getToken(t.item.id)).hint).toBe(hint);
    expect((await check(t.token)).secret).toBe('current');
  });

  it('a revoked token cannot be rotated; another org’s token is not found', async () => {
    const t = await privateToken();
    await call(lk, org.admin, 'DELETE', `${base()}/${t.item.id}`);
    const res = await rotate(t.item.id, { retire: 'now' });
    expect(res.statusCode).toBe(409);
    expect(errorCode(res)).toBe('token_revoked');
    const other = await createOrg(lk);
    const otherSa = await createServiceAccount(lk, other, 'o', {});
    const theirs = await createToken(lk, other, { serviceAccountId: otherSa.id });
    const cross = await rotate(theirs.item.id, { retire: 'now' });
    expect(cross.statusCode).toBe(404);
    expect((await check(theirs.token)).secret).toBe('current');
  });

  it('a viewer cannot rotate; an admin cannot rotate a token granting more than they hold', async () => {
    const t = await privateToken();
    const viewerRes = await rotate(t.item.id, { retire: 'now' }, org.viewer);
    expect(viewerRes.statusCode).toBe(403);
    const ownerSa = (
      await call(lk, org.owner, 'POST', `/api/v1/orgs/${org.slug}/service-accounts`, {
        name: 'owner-bot',
        roleId: await roleId(lk, org, 'Owner'),
      })
    ).json() as { id: string };
    const made = await call(lk, org.owner, 'POST', base(), {
      name: 'strong',
      type: 'private',
      serviceAccountId: ownerSa.id,
    });
    expect(made.statusCode, made.body).toBe(201);
    const strong = made.json() as { token: string; item: { id: string } };
    // Created by the owner; the admin (without org_settings:edit) must not hold a new value of it.
    const res = await rotate(strong.item.id, { retire: 'now' });
    expect(res.statusCode, res.body).toBe(403);
    expect((await check(strong.token)).secret).toBe('current');
  });

  it('rotation is in the audit log and the token history, never with a value', async () => {
    const t = await privateToken('audited');
    const r = (await rotate(t.item.id, { retire: 'on_first_use' })).json() as Rotated;
    await check(r.token);
    await waitUntil(async () => (await check(t.token)).code === 'token_rotated', 2000);
    const log = await call(lk, org.owner, 'GET', `/api/v1/orgs/${org.slug}/audit-log?targetId=${t.item.id}`);
    expect(log.statusCode, log.body).toBe(200);
    const actions = (log.json().items as { action: string; actor: { label: string } }[]).map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['token.create', 'token.rotate', 'token.retire_secret']));
    expect(log.body).not.toContain(t.token);
    expect(log.body).not.toContain(r.token);
    expect(lk.logs.join('')).not.toContain(r.token);
  });
});

describe('a private token rotates itself', () => {
  it('with its own current value, without tokens:edit', async () => {
    const viewerSa = await createServiceAccount(lk, org, 'ci', { roleId: await roleId(lk, org, 'Viewer') });
    const t = await createToken(lk, org, { serviceAccountId: viewerSa.id, name: 'ci' });
    const res = await call(lk, bearer(t.token), 'POST', `${base()}/self/rotate`, { retire: 'on_first_use' });
    expect(res.statusCode, res.body).toBe(201);
    const r = res.json() as Rotated;
    expect(r.item.id).toBe(t.item.id);
    // …but not any other token.
    const other = await privateToken();
    const denied = await call(lk, bearer(r.token), 'POST', `${base()}/${other.item.id}/rotate`, {
      retire: 'now',
    });
    expect(denied.statusCode).toBe(403);
  });

  it('not with the value a rotation replaced, nor from a session', async () => {
    const t = await privateToken('self2');
    const r = (await rotate(t.item.id, { retire: 'at', at: '2026-06-02T00:00:00Z' })).json() as Rotated;
    const withOld = await call(lk, bearer(t.token), 'POST', `${base()}/self/rotate`, { retire: 'now' });
    expect(withOld.statusCode, withOld.body).toBe(403);
    expect((await check(r.token)).secret).toBe('current');
    const fromSession = await call(lk, org.owner, 'POST', `${base()}/self/rotate`, { retire: 'now' });
    expect(fromSession.statusCode).toBe(403);
  });
});

describe('what a replaced value may still do (review findings)', () => {
  const managedToken = async (name: string) => {
    // Its own service account may edit tokens: the case where an old value could act on its own token.
    const s = await createServiceAccount(lk, org, name, { roleId: await roleId(lk, org, 'Admin') });
    return createToken(lk, org, { serviceAccountId: s.id, name });
  };

  it('an old value cannot change its own token through any route, nor take it over', async () => {
    const t = await managedToken('takeover');
    const r = (await rotate(t.item.id, { retire: 'on_first_use' })).json() as Rotated;
    const old = bearer(t.token);
    const path = `${base()}/${t.item.id}`;
    for (const [method, url, body] of [
      ['POST', `${path}/rotate`, { retire: 'now' }],
      ['POST', `${path}/suspend`, undefined],
      ['POST', `${path}/report-leak`, {}],
      ['PATCH', path, { name: 'mine' }],
      ['DELETE', path, undefined],
      ['POST', `${path}/reassign`, { serviceAccountId: sa.id }],
      ['POST', `${base()}/self/rotate`, { retire: 'now' }],
      // The batch route has no id in its path: the rule holds in the use cases, not the URL (review F1).
      ['POST', `${base()}/bulk`, { action: 'rotate', ids: [t.item.id], retire: 'now' }],
      ['POST', `${base()}/bulk`, { action: 'revoke', ids: [t.item.id] }],
      [
        'POST',
        `${base()}/bulk`,
        { action: 'set_expiry', ids: [t.item.id], expiresAt: '2026-07-01T00:00:00Z' },
      ],
      ['POST', `${base()}/bulk`, { action: 'reassign', ids: [t.item.id], serviceAccountId: sa.id }],
    ] as const) {
      const res = await call(lk, old, method, url, body);
      expect(res.statusCode, `${method} ${url}: ${res.body}`).toBe(403);
      expect(errorCode(res)).toBe('forbidden');
    }
    // It still reads, and still verifies, until it retires; the new value was never touched.
    expect((await call(lk, old, 'GET', path)).statusCode).toBe(200);
    expect((await check(r.token)).secret).toBe('current');
    expect((await getToken(t.item.id)).status).toBe('active');
  });

  it("a person's old legacy value cannot move its own token off them (members reassign-tokens)", async () => {
    const email = `leaver-${Date.now()}@${org.slug}.test`;
    const person = await addMember(lk, org, email, 'Admin');
    const value = `legacy-${'q'.repeat(24)}-leaver`;
    const imported = await call(lk, org.owner, 'POST', `${base()}/import`, {
      tokens: [{ ownerEmail: email, name: 'leaver legacy', type: 'private', value }],
    });
    expect(imported.statusCode, imported.body).toBe(201);
    const id = imported.json().rows[0].tokenId as string;
    // The person rotates their own token; the value it replaced keeps verifying for a day.
    expect(
      (await call(lk, person.caller, 'POST', `${base()}/${id}/rotate`, { retire: 'on_first_use' }))
        .statusCode,
    ).toBe(201);
    const res = await call(
      lk,
      bearer(value),
      'POST',
      `/api/v1/orgs/${org.slug}/members/${person.userId}/reassign-tokens`,
      { serviceAccountId: sa.id },
    );
    expect(res.statusCode, res.body).toBe(403);
    expect(errorCode(res)).toBe('forbidden');
    expect((await getToken(id)).owner.id).toBe(person.userId);
  });

  it('retire=on_first_use: only a management call that succeeds counts as the new value’s use', async () => {
    const t = await managedToken('mgmt-use');
    const r = (await rotate(t.item.id, { retire: 'on_first_use' })).json() as Rotated;
    const other = await createOrg(lk);
    const refused = [
      await call(lk, bearer(r.token), 'GET', `/api/v1/orgs/${other.slug}/tokens`), // 404
      await call(lk, bearer(r.token), 'POST', `${base()}/self/rotate`, { retire: 'bogus' }), // 400
    ];
    expect(refused.map((x) => x.statusCode)).toEqual([404, 400]);
    expect((await check(t.token)).secret).toBe('previous');
    expect((await call(lk, bearer(r.token), 'GET', base())).statusCode).toBe(200);
    await waitUntil(async () => (await check(t.token)).code === 'token_rotated', 2000);
  });

  it('a person’s token is rotated by that person only; an admin reassigns it first', async () => {
    const legacy = `legacy-${'y'.repeat(24)}-owner-only`;
    const imported = await call(lk, org.owner, 'POST', `${base()}/import`, {
      dryRun: false,
      tokens: [
        {
          ownerEmail: org.ownerEmail,
          name: 'owner legacy',
          type: 'private',
          value: legacy,
        },
      ],
    });
    expect(imported.statusCode, imported.body).toBe(201);
    const id = (await check(legacy)).tokenId!;
    // Narrowed to what an Admin holds: permissions alone would no longer stop the Admin.
    const narrowed = await call(lk, org.owner, 'PATCH', `${base()}/${id}`, { permissions: ['assets:view'] });
    expect(narrowed.statusCode, narrowed.body).toBe(200);
    const byAdmin = await rotate(id, { retire: 'now' });
    expect(byAdmin.statusCode, byAdmin.body).toBe(403);
    expect(byAdmin.body).toContain('owned by a person');
    expect((await check(legacy)).secret).toBe('current');
    expect((await rotate(id, { retire: 'now' }, org.owner)).statusCode).toBe(201);
  });

  it('a second leak report keeps the first one’s details', async () => {
    const t = await privateToken();
    const leak = (body: object) => call(lk, org.admin, 'POST', `${base()}/${t.item.id}/report-leak`, body);
    await leak({ where: 'https://paste.example/first', note: 'first' });
    expect((await leak({})).json().item.compromised).toMatchObject({
      where: 'https://paste.example/first',
      note: 'first',
    });
  });

  it('actions without a body refuse one; the previous value is shown ending with the token', async () => {
    const t = await createToken(lk, org, {
      serviceAccountId: sa.id,
      expiresAt: '2026-06-01T12:00:00.000Z',
    });
    for (const body of [{ foo: 1 }, { note: 'a\u0000b' }]) {
      const res = await call(lk, org.admin, 'POST', `${base()}/${t.item.id}/suspend`, body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
    }
    expect((await getToken(t.item.id)).status).toBe('active');
    const r = (await rotate(t.item.id, { retire: 'at', at: '2026-06-02T00:00:00Z' })).json() as Rotated;
    expect(r.item.previousSecret?.retiresAt).toBe('2026-06-01T12:00:00.000Z');
  });
});

describe('suspend and resume', () => {
  it('a suspended token is refused with token_suspended; resuming restores it, with its secrets', async () => {
    const t = await privateToken('pausable');
    const r = (await rotate(t.item.id, { retire: 'at', at: '2026-06-02T00:00:00Z' })).json() as Rotated;
    expect((await check(r.token)).code).toBe('valid'); // cached
    const s = await call(lk, org.admin, 'POST', `${base()}/${t.item.id}/suspend`);
    expect(s.statusCode, s.body).toBe(200);
    expect(s.json()).toMatchObject({ status: 'suspended', suspendedAt: '2026-06-01T00:00:00.000Z' });
    expect((await check(r.token)).code).toBe('token_suspended');
    expect((await check(t.token)).code).toBe('token_suspended');
    // Suspending twice changes nothing; a suspended token cannot call the API either.
    expect((await call(lk, org.admin, 'POST', `${base()}/${t.item.id}/suspend`)).statusCode).toBe(200);
    const asIt = await call(lk, bearer(r.token), 'GET', base());
    expect(asIt.statusCode).toBe(401);
    const resumed = await call(lk, org.admin, 'POST', `${base()}/${t.item.id}/resume`);
    expect(resumed.json()).toMatchObject({ status: 'active', suspendedAt: null });
    expect((await check(r.token)).secret).toBe('current');
    expect((await check(t.token)).secret).toBe('previous');
  });

  it('revocation stays final: a revoked token cannot be suspended or resumed', async () => {
    const t = await privateToken();
    await call(lk, org.admin, 'DELETE', `${base()}/${t.item.id}`);
    for (const a of ['suspend', 'resume']) {
      const res = await call(lk, org.admin, 'POST', `${base()}/${t.item.id}/${a}`);
      expect(res.statusCode).toBe(409);
    }
    expect((await check(t.token)).code).toBe('token_revoked');
  });

  it('a whole service account suspends and resumes the same way (its tokens: owner_disabled)', async () => {
    const s = await createServiceAccount(lk, org, 'pausable-sa', {});
    const t = await createToken(lk, org, { serviceAccountId: s.id });
    expect((await check(t.token)).code).toBe('valid');
    const path = `/api/v1/orgs/${org.slug}/service-accounts/${s.id}`;
    const off = await call(lk, org.admin, 'POST', `${path}/suspend`);
    expect(off.statusCode, off.body).toBe(200);
    expect(off.json()).toMatchObject({ status: 'disabled', disabledAt: '2026-06-01T00:00:00.000Z' });
    expect((await check(t.token)).code).toBe('owner_disabled');
    const on = await call(lk, org.admin, 'POST', `${path}/resume`);
    expect(on.json()).toMatchObject({ status: 'active', disabledAt: null });
    expect((await check(t.token)).code).toBe('valid');
  });
});

describe('report a leak', () => {
  it('revokes at once, marks the token compromised with where, and answers a replacement', async () => {
    const t = await createToken(lk, org, {
      serviceAccountId: sa.id,
      type: 'public',
      name: 'widget',
      domains: ['https://shop.example'],
      rateLimits: [{ name: 'burst', limit: 100, windowSeconds: 1 }],
      quota: { limit: 1000, refill: { interval: 'month', amount: 1000 } },
    });
    const r = (await rotate(t.item.id, { retire: 'at', at: '2026-06-02T00:00:00Z' })).json() as Rotated;
    expect((await check(r.token, 'https://shop.example')).code).toBe('valid');
    const res = await call(lk, org.admin, 'POST', `${base()}/${t.item.id}/report-leak`, {
      where: 'https://pastebin.example/abc',
      note: 'found in a public paste',
    });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body.item).toMatchObject({
      status: 'revoked',
      compromised: {
        at: '2026-06-01T00:00:00.000Z',
        where: 'https://pastebin.example/abc',
        note: 'found in a public paste',
      },
      previousSecret: null,
    });
    expect(body.replacement).toEqual({
      name: 'widget',
      serviceAccountId: sa.id,
      type: 'public',
      domains: ['https://shop.example'],
      allowedIps: [],
      enforcement: 'enforce',
      // Its limits too; the replacement's quota starts full.
      rateLimits: [{ name: 'burst', limit: 100, windowSeconds: 1 }],
      quota: { limit: 1000, refill: { interval: 'month', amount: 1000 } },
      permissions: null,
    });
    expect((await check(r.token, 'https://shop.example')).code).toBe('token_revoked');
    expect((await check(t.token, 'https://shop.example')).code).toBe('token_revoked');
    // The replacement body creates a working token with the same settings.
    const again = await call(lk, org.admin, 'POST', base(), body.replacement);
    expect(again.statusCode, again.body).toBe(201);
    expect(again.json().item).toMatchObject({
      rateLimits: [{ name: 'burst', limit: 100, windowSeconds: 1 }],
      quota: { limit: 1000, remaining: 1000 },
    });
    expect((await check(again.json().token, 'https://shop.example')).code).toBe('valid');
    const log = await call(
      lk,
      org.owner,
      'GET',
      `/api/v1/orgs/${org.slug}/audit-log?action=token.report_leak`,
    );
    expect(log.json().items[0]).toMatchObject({ target: { type: 'token', id: t.item.id } });
    expect(JSON.stringify(log.json().items[0].after)).toContain('pastebin.example');
  });

  it('refuses bad input and other orgs’ tokens', async () => {
    const t = await privateToken();
    for (const body of [{ where: 'x'.repeat(2049) }, { note: 'a\u0000b' }, { extra: 1 }]) {
      const res = await call(lk, org.admin, 'POST', `${base()}/${t.item.id}/report-leak`, body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
    }
    expect((await check(t.token)).code).toBe('valid');
    const other = await createOrg(lk);
    const res = await call(
      lk,
      other.admin,
      'POST',
      `/api/v1/orgs/${other.slug}/tokens/${t.item.id}/report-leak`,
      {},
    );
    expect(res.statusCode).toBe(404);
    expect((await check(t.token)).code).toBe('valid');
  });
});
