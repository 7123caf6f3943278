import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createOrg,
  errorCode,
  PASSWORD,
  startInstance,
  testClock,
  type TestInstance,
} from '../helpers/harness.js';

/**
 * Issue 11, finding 6 (and the "same limits for every credential check" part of finding 2): sign-in is limited
 * per (account, address) and slowed per account, never locked — an outsider (outside the owner's
 * IPv4 address or IPv6 /64) cannot lock the owner out.
 */
const REDIS_URL = process.env.LATCHKEY_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const HOME = '10.9.9.9'; // where the owner signs in from

function signIn(lk: TestInstance, email: string, password: string, address: string) {
  return lk.app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    remoteAddress: address,
    payload: { email, password },
  });
}
const outsider = (i: number) => `172.16.${Math.floor(i / 250)}.${(i % 250) + 1}`;

describe('with the default limits', () => {
  let lk: TestInstance;
  const clock = testClock();
  beforeAll(async () => {
    // The harness raises every limit for other tests; this instance has the shipped defaults.
    lk = await startInstance(
      { LATCHKEY_SIGNIN_ADDRESS_LIMIT: '', LATCHKEY_SIGNIN_SLOWDOWN_AFTER: '' },
      { clock },
    );
  });
  afterAll(() => lk.close());

  it("an outsider's 50 failures do not stop the owner's correct sign-in from their address", async () => {
    const org = await createOrg(lk);
    expect((await signIn(lk, org.ownerEmail, PASSWORD, HOME)).statusCode).toBe(200); // a recent sign-in from home
    const answers = new Map<number, number>();
    for (let i = 0; i < 50; i++) {
      const res = await signIn(lk, org.ownerEmail, `guess number ${i}`, outsider(i % 10));
      answers.set(res.statusCode, (answers.get(res.statusCode) ?? 0) + 1);
    }
    expect([...answers.keys()].sort()).toEqual([401, 429]); // the guesser was slowed down…
    const owner = await signIn(lk, org.ownerEmail, PASSWORD, HOME);
    expect(owner.statusCode, owner.body).toBe(200); // …the owner, at home, was not
  });

  it('the same outsider, one address, is cut off for that account after the limit, with Retry-After', async () => {
    const org = await createOrg(lk);
    const from = outsider(200);
    for (let i = 0; i < lk.config.signInAddressLimit; i++)
      expect((await signIn(lk, org.ownerEmail, 'wrong password!', from)).statusCode).toBe(401);
    const cut = await signIn(lk, org.ownerEmail, PASSWORD, from); // right password or not
    expect(cut.statusCode).toBe(429);
    expect(errorCode(cut)).toBe('rate_limited');
    const retryAfter = Number(cut.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(15 * 60);
    // Only that pair: the owner from elsewhere, and that address for another account, are not affected.
    expect((await signIn(lk, org.ownerEmail, PASSWORD, HOME)).statusCode).toBe(200);
    const other = await createOrg(lk);
    expect((await signIn(lk, other.ownerEmail, PASSWORD, from)).statusCode).toBe(200);
    // When the window is over, the address may try again.
    clock.advance(retryAfter * 1000);
    expect((await signIn(lk, org.ownerEmail, PASSWORD, from)).statusCode).toBe(200);
  });

  it('an IPv6 outsider is its whole /64: a new address per guess is cut off all the same', async () => {
    const org = await createOrg(lk);
    const prefix = `2001:db8:${randomBytes(2).toString('hex')}:9`;
    const from = (i: number) => `${prefix}:${(i + 1).toString(16)}::1`;
    for (let i = 0; i < lk.config.signInAddressLimit; i++)
      expect((await signIn(lk, org.ownerEmail, 'wrong password!', from(i))).statusCode).toBe(401);
    const cut = await signIn(lk, org.ownerEmail, PASSWORD, from(1000));
    expect(cut.statusCode).toBe(429);
    expect(errorCode(cut)).toBe('rate_limited');
    // Another /64 is another address.
    expect((await signIn(lk, org.ownerEmail, PASSWORD, '2001:db8:ffff:ffff::1')).statusCode).toBe(200);
  });
});

describe('windows from config', () => {
  // Fixed windows are aligned to the epoch: 2030-01-01T00:00:00Z starts a 120 s window (and a 900 s one).
  const clock = testClock(new Date('2030-01-01T00:00:30Z'));
  let lk: TestInstance;
  beforeAll(async () => {
    lk = await startInstance(
      { LATCHKEY_SIGNIN_ADDRESS_LIMIT: '2', LATCHKEY_SIGNIN_WINDOW_SECONDS: '120' },
      { clock },
    );
  });
  afterAll(() => lk.close());

  it('LATCHKEY_SIGNIN_WINDOW_SECONDS: a cut-off address is told when its window ends, and may try then', async () => {
    const org = await createOrg(lk);
    const from = outsider(300);
    for (let i = 0; i < 2; i++)
      expect((await signIn(lk, org.ownerEmail, 'wrong password!', from)).statusCode).toBe(401);
    const cut = await signIn(lk, org.ownerEmail, PASSWORD, from);
    expect(cut.statusCode, cut.body).toBe(429);
    // 30 s into a 120 s window (the default 900 s window would say 870).
    expect(cut.headers['retry-after']).toBe('90');
    expect(cut.json().error.details).toEqual({ retryAfterSeconds: 90 });
    clock.advance(89_000);
    expect((await signIn(lk, org.ownerEmail, PASSWORD, from)).statusCode).toBe(429);
    clock.advance(1_000);
    expect((await signIn(lk, org.ownerEmail, PASSWORD, from)).statusCode).toBe(200);
  });

  it("LATCHKEY_LOGIN_RATE_WINDOW_SECONDS: the routes' request limit counts in that window and says so", async () => {
    const limits = await startInstance({
      LATCHKEY_LOGIN_RATE_LIMIT: '3',
      LATCHKEY_LOGIN_RATE_WINDOW_SECONDS: '20',
    });
    try {
      const from = outsider(301);
      for (let i = 0; i < 3; i++)
        expect((await signIn(limits, `nobody-${i}@limits.test`, 'wrong password!', from)).statusCode).toBe(
          401,
        );
      const limited = await signIn(limits, 'nobody@limits.test', 'wrong password!', from);
      expect(limited.statusCode, limited.body).toBe(429);
      expect(errorCode(limited)).toBe('rate_limited');
      // @fastify/rate-limit keeps its own (real) time: at most the configured 20 s, never the old minute.
      const retryAfter = Number(limited.headers['retry-after']);
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(20);
      // An IPv6 client is its /64 here too: a new address per request shares one count.
      const v6 = (i: number) => `2001:db8:77:1:${i + 1}::1`;
      for (let i = 0; i < 3; i++)
        expect((await signIn(limits, `nobody-${i}@limits.test`, 'wrong password!', v6(i))).statusCode).toBe(
          401,
        );
      expect((await signIn(limits, 'nobody@limits.test', 'wrong password!', v6(3))).statusCode).toBe(429);
      expect(
        (await signIn(limits, 'nobody@limits.test', 'wrong password!', '2001:db8:77:2::1')).statusCode,
      ).toBe(401);
    } finally {
      await limits.close();
    }
  });
});

describe('slowing a guesser spread over many addresses', () => {
  let lk: TestInstance;
  const clock = testClock();
  beforeAll(async () => {
    lk = await startInstance(
      {
        LATCHKEY_SIGNIN_ADDRESS_LIMIT: '3',
        LATCHKEY_SIGNIN_SLOWDOWN_AFTER: '5',
        LATCHKEY_SIGNIN_SLOWDOWN_SECONDS: '10',
      },
      { clock },
    );
  });
  afterAll(() => lk.close());

  it('after N failures, addresses that never signed in share one attempt per interval; known addresses are not slowed', async () => {
    const org = await createOrg(lk);
    expect((await signIn(lk, org.ownerEmail, PASSWORD, HOME)).statusCode).toBe(200);
    for (let i = 0; i < 5; i++)
      expect((await signIn(lk, org.ownerEmail, 'wrong password!', outsider(i))).statusCode).toBe(401);
    // Slowed now: one attempt gets through, the next (from any other new address) waits its turn.
    expect((await signIn(lk, org.ownerEmail, 'wrong password!', outsider(5))).statusCode).toBe(401);
    const waiting = await signIn(lk, org.ownerEmail, 'wrong password!', outsider(6));
    expect(waiting.statusCode).toBe(429);
    expect(waiting.headers['retry-after']).toBe('10');
    // Even the right password from a new address waits (otherwise the slot would be an oracle)…
    expect((await signIn(lk, org.ownerEmail, PASSWORD, outsider(7))).statusCode).toBe(429);
    // …but the owner's known address is let through at once, as often as needed.
    for (let i = 0; i < 3; i++)
      expect((await signIn(lk, org.ownerEmail, PASSWORD, HOME)).statusCode).toBe(200);
    clock.advance(10_000);
    expect((await signIn(lk, org.ownerEmail, PASSWORD, outsider(7))).statusCode).toBe(200);
  });

  it('an unknown e-mail and a wrong password get identical answers, limits included', async () => {
    const org = await createOrg(lk);
    const ghost = `ghost-${randomBytes(4).toString('hex')}@nowhere.test`;
    const sequence = async (email: string) => {
      const out = [];
      for (let i = 0; i < 5; i++) {
        const res = await signIn(lk, email, 'wrong password!', outsider(100 + (i % 2)));
        out.push({
          status: res.statusCode,
          code: errorCode(res),
          message: res.json().error.message,
          retryAfter: res.headers['retry-after'] ?? null,
        });
      }
      return out;
    };
    const forGhost = await sequence(ghost);
    const forOwner = await sequence(org.ownerEmail);
    expect(forOwner).toEqual(forGhost);
    expect(forGhost.map((a) => a.status)).toEqual([401, 401, 401, 401, 401]);
    // The next attempt from either address is over its pair limit (3 each): same answer for both.
    const ghostCut = await signIn(lk, ghost, 'wrong password!', outsider(100));
    const ownerCut = await signIn(lk, org.ownerEmail, 'wrong password!', outsider(100));
    expect([ghostCut.statusCode, errorCode(ghostCut), ghostCut.headers['retry-after']]).toEqual([
      429,
      'rate_limited',
      ownerCut.headers['retry-after'],
    ]);
    expect(ownerCut.json().error.message).toBe(ghostCut.json().error.message);
  });
});

describe('every credential check shares the limits', () => {
  let lk: TestInstance;
  beforeAll(async () => {
    lk = await startInstance({ LATCHKEY_SIGNIN_ADDRESS_LIMIT: '3' });
  });
  afterAll(() => lk.close());

  it('wrong current passwords on a password change count with sign-ins from that address', async () => {
    const org = await createOrg(lk);
    const res = await signIn(lk, org.ownerEmail, PASSWORD, HOME);
    const cookie = res.cookies.map((c) => `${c.name}=${c.value}`).join('; ');
    const headers = { cookie, 'x-csrf-token': res.json().csrfToken as string };
    const change = (currentPassword: string) =>
      lk.app.inject({
        method: 'POST',
        url: '/api/v1/me/password',
        remoteAddress: HOME,
        headers,
        payload: { currentPassword, newPassword: 'a new password 123' },
      });
    for (let i = 0; i < 3; i++)
      expect(errorCode(await change('not the password'))).toBe('invalid_credentials');
    const cut = await change(PASSWORD);
    expect(cut.statusCode).toBe(429);
    expect(Number(cut.headers['retry-after'])).toBeGreaterThan(0);
    expect((await signIn(lk, org.ownerEmail, PASSWORD, HOME)).statusCode).toBe(429);
    expect((await signIn(lk, org.ownerEmail, PASSWORD, outsider(1))).statusCode).toBe(200);
  });

  it('wrong first-run setup tokens are limited per address too', async () => {
    const fresh = await startInstance({ LATCHKEY_SIGNIN_ADDRESS_LIMIT: '3' });
    try {
      const token = (await fresh.services.setup.issueSetupLink())!.split('#token=')[1]!;
      const body = {
        orgName: 'Acme',
        orgSlug: 'acme',
        name: 'Ada',
        email: 'ada@acme.test',
        password: PASSWORD,
      };
      const setup = (t: string, address: string) =>
        fresh.app.inject({
          method: 'POST',
          url: '/api/v1/setup',
          remoteAddress: address,
          payload: { ...body, token: t },
        });
      for (let i = 0; i < 3; i++)
        expect(errorCode(await setup(`wrong-${i}`, outsider(1)))).toBe('setup_invalid');
      const cut = await setup(token, outsider(1));
      expect(cut.statusCode).toBe(429);
      expect(cut.headers['retry-after']).toBeDefined();
      expect((await setup(token, HOME)).statusCode).toBe(201);
    } finally {
      await fresh.close();
    }
  });
});

describe('limits shared across instances through Redis (REDIS_URL)', () => {
  let a: TestInstance;
  let b: TestInstance;
  beforeAll(async () => {
    a = await startInstance({ REDIS_URL, LATCHKEY_SIGNIN_ADDRESS_LIMIT: '4' });
    b = await startInstance({ REDIS_URL, LATCHKEY_SIGNIN_ADDRESS_LIMIT: '4' });
  });
  afterAll(async () => {
    await a.close();
    await b.close();
  });

  it('failures on one instance count on the other', async () => {
    // Unknown accounts work as well as real ones (same answers); a fresh name per run, as Redis outlives the test.
    const email = `shared-${randomBytes(6).toString('hex')}@limits.test`;
    const from = outsider(42);
    for (let i = 0; i < 2; i++)
      expect((await signIn(a, email, 'wrong password!', from)).statusCode).toBe(401);
    for (let i = 0; i < 2; i++)
      expect((await signIn(b, email, 'wrong password!', from)).statusCode).toBe(401);
    const cut = await signIn(a, email, 'wrong password!', from);
    expect(cut.statusCode).toBe(429);
    expect(Number(cut.headers['retry-after'])).toBeGreaterThan(0);
    expect((await signIn(b, email, 'wrong password!', outsider(43))).statusCode).toBe(401);
  });
});
