import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  call,
  createOrg,
  createServiceAccount,
  createToken,
  errorCode,
  login,
  roleId,
  startInstance,
  testClock,
  verify,
  type Org,
  type TestInstance,
} from '../helpers/harness.js';

/**
 * Issue 11, finding 7: every path that creates or changes a token (create, update, import, reassign)
 * goes through one policy (domain/token-policy.ts). The class: no path yields a live token that
 * outlives the org's maximum from the moment it was (re)issued, and no path revives an expired one.
 */
const DAY = 86_400_000;
const clock = testClock(new Date('2030-01-01T00:00:00.000Z'));
let lk: TestInstance;
beforeAll(async () => {
  lk = await startInstance({}, { clock });
});
afterAll(() => lk.close());

const tokens = (o: Org, rest = '') => `/api/v1/orgs/${o.slug}/tokens${rest}`;
let n = 0;
const legacyValue = () => `legacy-value-${process.pid}-${(n += 1)}-abcdefghij`;

async function orgWithMax(days: number | null) {
  const org = await createOrg(lk);
  const owner = await login(lk, org.ownerEmail);
  const sa = await createServiceAccount(lk, org, 'policy-sa', { roleId: await roleId(lk, org, 'Admin') });
  const setMax = async (d: number | null) => {
    const res = await call(lk, owner, 'PATCH', `/api/v1/orgs/${org.slug}`, { maxTokenLifetimeDays: d });
    expect(res.statusCode, res.body).toBe(200);
  };
  if (days !== null) await setMax(days);
  return { org, owner, sa, setMax };
}

describe('an expired token stays expired (PATCH cannot revive it)', () => {
  it.each([null, new Date('2030-06-01T00:00:00.000Z').toISOString()])(
    'expiresAt: %s is refused with token_expired; verify still says token_expired',
    async (expiresAt) => {
      const { org, sa } = await orgWithMax(null);
      const { token, item } = await createToken(lk, org, {
        serviceAccountId: sa.id,
        expiresAt: new Date(clock.now().getTime() + 60_000).toISOString(),
      });
      clock.advance(61_000);
      expect((await verify(lk, { token })).code).toBe('token_expired');
      const res = await call(lk, org.admin, 'PATCH', tokens(org, `/${item.id}`), { expiresAt });
      expect(res.statusCode, res.body).toBe(409);
      expect(errorCode(res)).toBe('token_expired');
      expect((await verify(lk, { token })).code).toBe('token_expired');
      // Other changes (a rename) are still allowed and do not revive it either.
      const renamed = await call(lk, org.admin, 'PATCH', tokens(org, `/${item.id}`), {
        name: 'expired, renamed',
      });
      expect(renamed.statusCode, renamed.body).toBe(200);
      expect(renamed.json().status).toBe('expired');
      expect((await verify(lk, { token })).code).toBe('token_expired');
    },
  );
});

describe('with an org maximum', () => {
  it('update: clearing the expiry is refused; a later one is refused; an earlier one is fine', async () => {
    const { org, sa } = await orgWithMax(30);
    const { item } = await createToken(lk, org, { serviceAccountId: sa.id });
    expect(Date.parse((item as unknown as { expiresAt: string }).expiresAt)).toBe(
      clock.now().getTime() + 30 * DAY,
    );
    const cleared = await call(lk, org.admin, 'PATCH', tokens(org, `/${item.id}`), { expiresAt: null });
    expect(errorCode(cleared), cleared.body).toBe('invalid_expiry');
    const later = await call(lk, org.admin, 'PATCH', tokens(org, `/${item.id}`), {
      expiresAt: new Date(clock.now().getTime() + 31 * DAY).toISOString(),
    });
    expect(errorCode(later), later.body).toBe('invalid_expiry');
    const earlier = await call(lk, org.admin, 'PATCH', tokens(org, `/${item.id}`), {
      expiresAt: new Date(clock.now().getTime() + 5 * DAY).toISOString(),
    });
    expect(earlier.statusCode, earlier.body).toBe(200);
    expect(Date.parse(earlier.json().expiresAt)).toBe(clock.now().getTime() + 5 * DAY);
  });

  it('import: rows without an expiry get the maximum, a later one is capped, a past one is refused', async () => {
    const { org, owner } = await orgWithMax(30);
    const limit = clock.now().getTime() + 30 * DAY;
    const rows = [
      { ownerEmail: org.ownerEmail, name: 'no expiry', type: 'private', value: legacyValue() },
      {
        ownerEmail: org.ownerEmail,
        name: 'far future',
        type: 'private',
        value: legacyValue(),
        expiresAt: new Date(clock.now().getTime() + 400 * DAY).toISOString(),
      },
      {
        ownerEmail: org.ownerEmail,
        name: 'soon',
        type: 'private',
        value: legacyValue(),
        expiresAt: new Date(clock.now().getTime() + 2 * DAY).toISOString(),
      },
    ];
    const dry = await call(lk, owner, 'POST', tokens(org, '/import'), { dryRun: true, tokens: rows });
    expect(dry.statusCode, dry.body).toBe(200);
    expect(dry.json().rows.map((r: { expiresAt: string }) => Date.parse(r.expiresAt))).toEqual([
      limit,
      limit,
      clock.now().getTime() + 2 * DAY,
    ]);
    const res = await call(lk, owner, 'POST', tokens(org, '/import'), { tokens: rows });
    expect(res.statusCode, res.body).toBe(201);
    const stored = await Promise.all(
      res
        .json()
        .rows.map(async (r: { tokenId: string }) =>
          Date.parse((await call(lk, org.admin, 'GET', tokens(org, `/${r.tokenId}`))).json().expiresAt),
        ),
    );
    expect(stored).toEqual([limit, limit, clock.now().getTime() + 2 * DAY]);
    clock.advance(31 * DAY);
    expect((await verify(lk, { token: rows[0]!.value })).code).toBe('token_expired');
    expect((await verify(lk, { token: rows[1]!.value })).code).toBe('token_expired');

    const past = await call(lk, await login(lk, org.ownerEmail), 'POST', tokens(org, '/import'), {
      tokens: [
        {
          ownerEmail: org.ownerEmail,
          name: 'past',
          type: 'private',
          value: legacyValue(),
          expiresAt: new Date(clock.now().getTime() - 1000).toISOString(),
        },
      ],
    });
    expect(errorCode(past), past.body).toBe('invalid_import');
    expect(past.json().error.details.rows[0].code).toBe('invalid_expiry');
  });

  it('reassign: a token that never expires (issued before the maximum) is brought under it', async () => {
    const { org, sa, setMax } = await orgWithMax(null);
    const { item } = await createToken(lk, org, { serviceAccountId: sa.id });
    expect((item as unknown as { expiresAt: string | null }).expiresAt).toBeNull();
    await setMax(10);
    // A rename is not a re-issue: the expiry is left alone.
    const renamed = await call(lk, org.admin, 'PATCH', tokens(org, `/${item.id}`), { name: 'renamed' });
    expect(renamed.json().expiresAt).toBeNull();
    const target = await createServiceAccount(lk, org, 'policy-target', {
      roleId: await roleId(lk, org, 'Admin'),
    });
    const moved = await call(lk, org.admin, 'POST', tokens(org, `/${item.id}/reassign`), {
      serviceAccountId: target.id,
    });
    expect(moved.statusCode, moved.body).toBe(200);
    expect(Date.parse(moved.json().expiresAt)).toBe(clock.now().getTime() + 10 * DAY);
  });

  it('create: an explicit expiry beyond the maximum is refused, none means the maximum', async () => {
    const { org, sa } = await orgWithMax(7);
    const tooLong = await call(lk, org.admin, 'POST', tokens(org), {
      name: 'x',
      type: 'private',
      serviceAccountId: sa.id,
      expiresAt: new Date(clock.now().getTime() + 8 * DAY).toISOString(),
    });
    expect(errorCode(tooLong)).toBe('invalid_expiry');
    const explicitNull = await call(lk, org.admin, 'POST', tokens(org), {
      name: 'x',
      type: 'private',
      serviceAccountId: sa.id,
      expiresAt: null,
    });
    expect(Date.parse(explicitNull.json().item.expiresAt)).toBe(clock.now().getTime() + 7 * DAY);
  });
});

describe('without an org maximum', () => {
  it('imported tokens keep the given expiry or none', async () => {
    const { org, owner } = await orgWithMax(null);
    const at = new Date(clock.now().getTime() + 400 * DAY).toISOString();
    const res = await call(lk, owner, 'POST', tokens(org, '/import'), {
      tokens: [
        { ownerEmail: org.ownerEmail, name: 'a', type: 'private', value: legacyValue() },
        { ownerEmail: org.ownerEmail, name: 'b', type: 'private', value: legacyValue(), expiresAt: at },
      ],
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().rows.map((r: { expiresAt: string | null }) => r.expiresAt)).toEqual([null, at]);
  });
});
