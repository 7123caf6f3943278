import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  call,
  createOrg,
  errorCode,
  login,
  PASSWORD,
  roleId,
  startInstance,
  type Caller,
  type Org,
  type TestInstance,
} from '../helpers/harness.js';

/**
 * Issue 11, finding 2: accepting an invitation is no password oracle. Without a session the answer is the
 * same whether or not the address has an account, no password is ever checked and no session is handed out;
 * an existing account joins only through its own session, whose e-mail must be the invitation's.
 */
let lk: TestInstance;
let inviting: Org; // the org that invites (any user can create one)
let victim: Org; // its owner is the existing account being probed
let inviter: Caller;
beforeAll(async () => {
  lk = await startInstance();
  inviting = await createOrg(lk);
  victim = await createOrg(lk);
  inviter = await login(lk, inviting.ownerEmail);
});
afterAll(() => lk.close());

let n = 0;
const newEmail = () => `newcomer${++n}@accept.test`;
async function invite(email: string, role = 'Viewer'): Promise<string> {
  const res = await call(lk, inviter, 'POST', `/api/v1/orgs/${inviting.slug}/invitations`, {
    email,
    roleId: await roleId(lk, inviting, role),
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().token as string;
}
const acceptAnonymously = (payload: Record<string, unknown>) =>
  lk.app.inject({ method: 'POST', url: '/api/v1/invitations/accept', payload });
const memberEmails = async () =>
  (
    (await call(lk, inviting.admin, 'GET', `/api/v1/orgs/${inviting.slug}/members`)).json().items as {
      email: string;
    }[]
  ).map((m) => m.email);
/** The answer as a client sees it, minus what legitimately differs (the address, the request id). */
const shape = (res: Awaited<ReturnType<typeof acceptAnonymously>>) => ({
  status: res.statusCode,
  body: { ...res.json(), email: '<invited address>' },
  setCookie: res.headers['set-cookie'] ?? null,
});

describe('accepting without a session', () => {
  it('answers the same for an address with an account and one without, whatever the password', async () => {
    const existing = await invite(victim.ownerEmail);
    const fresh = await invite(newEmail());
    const guesses = ['not the password', 'Password123!', PASSWORD];
    const forExisting = [];
    for (const password of guesses)
      forExisting.push(shape(await acceptAnonymously({ token: existing, name: 'X', password })));
    const forNew = shape(await acceptAnonymously({ token: fresh, name: 'X', password: 'not the password' }));
    for (const answer of forExisting) expect(answer).toEqual(forNew);
    expect(forNew).toEqual({
      status: 202,
      body: { next: 'sign_in', email: '<invited address>' },
      setCookie: null,
    });
  });

  it('never checks the existing password, never signs in and never joins the existing account', async () => {
    const token = await invite(victim.ownerEmail);
    const right = await acceptAnonymously({ token, name: 'Whoever', password: PASSWORD });
    expect(right.statusCode, right.body).toBe(202);
    expect(right.cookies.some((c) => c.name === 'latchkey_session')).toBe(false);
    expect(await memberEmails()).not.toContain(victim.ownerEmail);
    // The account is untouched: its password is still its own, nobody else's.
    const taken = await acceptAnonymously({ token, name: 'Whoever', password: 'attacker password 1' });
    expect(taken.statusCode).toBe(202);
    expect(
      (
        await lk.app.inject({
          method: 'POST',
          url: '/api/v1/auth/login',
          payload: { email: victim.ownerEmail, password: 'attacker password 1' },
        })
      ).statusCode,
    ).toBe(401);
    await login(lk, victim.ownerEmail);
  });

  it('creates the account and the membership when the address has none; the newcomer then signs in', async () => {
    const who = newEmail();
    const token = await invite(who);
    const res = await acceptAnonymously({ token, name: 'New Person', password: 'newcomer password 1' });
    expect(res.json()).toEqual({ next: 'sign_in', email: who });
    expect(await memberEmails()).toContain(who);
    const session = await login(lk, who, 'newcomer password 1');
    // The console then accepts with the session: the invitation it already used answers 200 again.
    const again = await call(lk, session, 'POST', '/api/v1/invitations/accept', { token });
    expect(again.statusCode, again.body).toBe(200);
    expect(again.json()).toEqual({ orgId: inviting.id });
  });

  it('still refuses bad links, weak passwords and a missing name or password', async () => {
    expect(errorCode(await acceptAnonymously({ token: 'nope', name: 'X', password: PASSWORD }))).toBe(
      'invitation_invalid',
    );
    const token = await invite(newEmail());
    expect(errorCode(await acceptAnonymously({ token, name: 'X', password: 'short' }))).toBe(
      'validation_failed',
    );
    expect(errorCode(await acceptAnonymously({ token, password: PASSWORD }))).toBe('validation_failed');
    expect(errorCode(await acceptAnonymously({ token, name: 'X' }))).toBe('validation_failed');
  });
});

describe('accepting with a session', () => {
  it('joins the signed-in account when the invitation is addressed to it', async () => {
    const token = await invite(victim.ownerEmail, 'Admin');
    const session = await login(lk, victim.ownerEmail);
    const res = await call(lk, session, 'POST', '/api/v1/invitations/accept', { token });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ orgId: inviting.id });
    expect(await memberEmails()).toContain(victim.ownerEmail);
    // Single use: nobody else can use it now.
    expect(errorCode(await acceptAnonymously({ token, name: 'X', password: PASSWORD }))).toBe(
      'invitation_invalid',
    );
  });

  it('refuses a session of another account, without saying anything about accounts', async () => {
    const who = newEmail();
    const token = await invite(who);
    const someoneElse = await login(lk, victim.ownerEmail);
    const res = await call(lk, someoneElse, 'POST', '/api/v1/invitations/accept', { token });
    expect(res.statusCode).toBe(403);
    expect(errorCode(res)).toBe('invitation_wrong_account');
    expect(res.body).not.toContain(who);
    // The invitation is still open for its addressee.
    expect(
      (await acceptAnonymously({ token, name: 'Rightful', password: 'rightful password' })).statusCode,
    ).toBe(202);
    expect(await memberEmails()).toContain(who);
  });

  it('needs the CSRF token, and takes no password', async () => {
    const other = await createOrg(lk);
    const token = await invite(other.ownerEmail);
    const session = await login(lk, other.ownerEmail);
    const noCsrf = await lk.app.inject({
      method: 'POST',
      url: '/api/v1/invitations/accept',
      headers: { cookie: session.headers.cookie! },
      payload: { token },
    });
    expect(errorCode(noCsrf)).toBe('csrf_invalid');
    expect(
      errorCode(await call(lk, session, 'POST', '/api/v1/invitations/accept', { token, password: PASSWORD })),
    ).toBe('validation_failed');
    expect(await memberEmails()).not.toContain(other.ownerEmail);
  });

  it('is refused for a token caller (a person accepts, not automation)', async () => {
    const token = await invite(newEmail());
    const res = await call(lk, inviting.admin, 'POST', '/api/v1/invitations/accept', { token });
    expect(res.statusCode).toBe(403);
    expect(errorCode(res)).toBe('forbidden');
  });
});

describe('looking an invitation up', () => {
  it('answers org, inviter, address and role — the same fields whether or not the address has an account', async () => {
    const lookup = async (token: string) =>
      lk.app.inject({ method: 'POST', url: '/api/v1/invitations/lookup', payload: { token } });
    const who = newEmail();
    const forNew = await lookup(await invite(who, 'Admin'));
    expect(forNew.statusCode, forNew.body).toBe(200);
    expect(forNew.json()).toEqual({
      email: who,
      orgName: expect.any(String),
      roleName: 'Admin',
      invitedBy: { name: expect.any(String), email: inviting.ownerEmail },
      expiresAt: expect.any(String),
    });
    const existing = await createOrg(lk); // its owner has an account, and is not in the inviting org
    const forExisting = await lookup(await invite(existing.ownerEmail, 'Admin'));
    expect(Object.keys(forExisting.json()).sort()).toEqual(Object.keys(forNew.json()).sort());
    expect({ ...forExisting.json(), email: who, expiresAt: 'x' }).toEqual({
      ...forNew.json(),
      expiresAt: 'x',
    });
    expect(errorCode(await lookup('not-a-token'))).toBe('invitation_invalid');
  });
});
