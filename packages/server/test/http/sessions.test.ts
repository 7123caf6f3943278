import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import {
  call,
  createOrg,
  errorCode,
  login,
  startInstance,
  testClock,
  type Org,
  type TestInstance,
} from '../helpers/harness.js';

/** Issue 11, finding 23 (session parts): an absolute session lifetime, and CSRF tokens bound to their session. */
const HOUR = 3_600_000;

describe('absolute session lifetime', () => {
  let lk: TestInstance;
  let org: Org;
  const clock = testClock();
  beforeAll(async () => {
    lk = await startInstance(
      { LATCHKEY_SESSION_TTL_HOURS: '24', LATCHKEY_SESSION_MAX_HOURS: '48' },
      { clock },
    );
    org = await createOrg(lk);
  });
  afterAll(() => lk.close());

  it('a session kept busy still ends at the maximum after sign-in', async () => {
    const caller = await login(lk, org.ownerEmail);
    // Used every 20 hours: the sliding 24-hour expiry alone would keep it alive forever.
    for (let h = 20; h < 48; h += 20) {
      clock.advance(20 * HOUR);
      expect((await call(lk, caller, 'GET', '/api/v1/me')).statusCode, `after ${h} hours`).toBe(200);
    }
    clock.advance(8 * HOUR); // 48 hours after sign-in, 8 after the last use
    const res = await call(lk, caller, 'GET', '/api/v1/me');
    expect(res.statusCode).toBe(401);
    expect(errorCode(res)).toBe('unauthenticated');
    // Signing in again gives a new session with a full lifetime.
    expect((await call(lk, await login(lk, org.ownerEmail), 'GET', '/api/v1/me')).statusCode).toBe(200);
  });

  it('the sliding expiry still applies within the maximum', async () => {
    const caller = await login(lk, org.ownerEmail);
    clock.advance(24 * HOUR + 1000);
    expect((await call(lk, caller, 'GET', '/api/v1/me')).statusCode).toBe(401);
  });

  it('the cookie does not outlive the session', async () => {
    const res = await lk.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: org.ownerEmail, password: 'correct horse battery staple' },
    });
    expect(res.cookies.find((c) => c.name === 'latchkey_session')!.maxAge).toBe(24 * 3600);
  });

  it('a maximum shorter than the sliding lifetime is refused at start-up', () => {
    expect(() => loadConfig({ LATCHKEY_SESSION_TTL_HOURS: '24', LATCHKEY_SESSION_MAX_HOURS: '12' })).toThrow(
      /LATCHKEY_SESSION_MAX_HOURS/,
    );
  });
});

describe('CSRF tokens are bound to their session', () => {
  let lk: TestInstance;
  let org: Org;
  beforeAll(async () => {
    lk = await startInstance();
    org = await createOrg(lk);
  });
  afterAll(() => lk.close());

  const cookie = (header: string, name: string) => header.split('; ').find((c) => c.startsWith(`${name}=`))!;
  const createSa = (headers: Record<string, string>, name: string) =>
    lk.app.inject({
      method: 'POST',
      url: `/api/v1/orgs/${org.slug}/service-accounts`,
      headers,
      payload: { name },
    });

  it("a CSRF token (and CSRF cookie) from one session does not work with another session's cookie", async () => {
    const one = await login(lk, org.ownerEmail);
    const two = await login(lk, org.ownerEmail);
    const sessionTwo = cookie(two.headers.cookie!, 'latchkey_session');
    const csrfOne = cookie(one.headers.cookie!, 'latchkey_csrf');
    const mixed = await createSa(
      { cookie: `${sessionTwo}; ${csrfOne}`, 'x-csrf-token': one.headers['x-csrf-token']! },
      'mixed-sessions',
    );
    expect(mixed.statusCode).toBe(403);
    expect(errorCode(mixed)).toBe('csrf_invalid');
    // Each session with its own token works.
    expect((await createSa(one.headers, 'session-one')).statusCode).toBe(201);
    expect((await createSa(two.headers, 'session-two')).statusCode).toBe(201);
  });

  it('a token fetched from /me before signing in as someone else does not carry over to the new session', async () => {
    const first = await login(lk, org.ownerEmail);
    const before = (await call(lk, first, 'GET', '/api/v1/me')).json().csrfToken as string;
    // Same browser (same CSRF cookie), a new sign-in: the old token is refused, the new one works.
    const relogin = await lk.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      headers: { cookie: cookie(first.headers.cookie!, 'latchkey_csrf') },
      payload: { email: org.ownerEmail, password: 'correct horse battery staple' },
    });
    const newSession = relogin.cookies.find((c) => c.name === 'latchkey_session')!;
    const cookies = `latchkey_session=${newSession.value}; ${cookie(first.headers.cookie!, 'latchkey_csrf')}`;
    expect(errorCode(await createSa({ cookie: cookies, 'x-csrf-token': before }, 'stale-token'))).toBe(
      'csrf_invalid',
    );
    expect(
      (await createSa({ cookie: cookies, 'x-csrf-token': relogin.json().csrfToken as string }, 'fresh-token'))
        .statusCode,
    ).toBe(201);
  });
});
