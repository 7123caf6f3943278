import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, createOrg, errorCode, login, PASSWORD, roleId, startInstance, testClock, type TestInstance } from '../helpers/harness.js';

/**
 * Rule 17 and issue 11, finding 19: with SMTP configured, the invitation link is e-mailed to the address only
 * (to a real SMTP server, run here), and an address owner can take an account back by a password reset.
 */
interface Mail {
  to: string[];
  body: string;
}
const received: Mail[] = [];

/** The next message to `address` (waits for the SMTP server to receive it; mail is sent after the answer). */
async function mailTo(address: string, timeoutMs = 5000): Promise<Mail> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const i = received.findIndex((m) => m.to.includes(address));
    if (i >= 0) return received.splice(i, 1)[0]!;
    if (Date.now() > deadline) throw new Error(`no mail to ${address}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
/** The link in a (quoted-printable) message body that contains `marker`. */
function linkIn(mail: Mail, marker: string): string {
  const body = mail.body.replace(/=\r?\n/g, '').replace(/=3D/g, '=');
  const link = body.split(/\s+/).find((w) => w.includes(marker));
  if (!link) throw new Error(`no ${marker} link in ${body}`);
  return link;
}
const tokenOf = (link: string) => link.split('#token=')[1]!;
let smtp: SMTPServer;
let lk: TestInstance;
const clock = testClock();

beforeAll(async () => {
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onData(stream, session, callback) {
      let body = '';
      stream.on('data', (d: Buffer) => (body += d.toString()));
      stream.on('end', () => {
        received.push({ to: session.envelope.rcptTo.map((r) => r.address), body });
        callback();
      });
    },
  });
  await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', r));
  const port = (smtp.server.address() as AddressInfo).port;
  lk = await startInstance({ SMTP_URL: `smtp://127.0.0.1:${port}`, LATCHKEY_MAIL_FROM: 'Latchkey <keys@acme.test>' }, { clock });
});
afterAll(async () => {
  await lk.close();
  await new Promise<void>((r) => smtp.close(() => r()));
});

it('e-mails the single-use link to the invitee only: the inviter never sees it', async () => {
  const org = await createOrg(lk);
  const owner = await login(lk, org.ownerEmail, PASSWORD);
  const res = await call(lk, owner, 'POST', `/api/v1/orgs/${org.slug}/invitations`, { email: 'Newbie@Acme.test', roleId: await roleId(lk, org, 'Viewer') });
  expect(res.statusCode, res.body).toBe(201);
  expect(res.json().emailed).toBe(true);
  // Issue 11, finding 19: with SMTP, possession of the link proves the address, so nobody else gets it.
  expect(res.json()).not.toHaveProperty('token');
  expect(res.json()).not.toHaveProperty('link');
  const mail = await mailTo('newbie@acme.test');
  expect(mail.body).toMatch(/From: Latchkey <keys@acme.test>/);
  const link = linkIn(mail, '/accept-invite#token=');
  expect(link.startsWith(`${lk.config.publicUrl}/accept-invite#token=`)).toBe(true);
  expect(JSON.stringify((await call(lk, owner, 'GET', `/api/v1/orgs/${org.slug}/invitations`)).json())).not.toContain(tokenOf(link));
  // The address owner accepts from the e-mailed link and signs in.
  const accept = await lk.app.inject({ method: 'POST', url: '/api/v1/invitations/accept', payload: { token: tokenOf(link), name: 'Newbie', password: 'newbie password 1' } });
  expect(accept.statusCode, accept.body).toBe(202);
  await login(lk, 'newbie@acme.test', 'newbie password 1');
});

it('without SMTP the link is only shown (emailed: false)', async () => {
  const plain = await startInstance();
  try {
    const org = await createOrg(plain);
    const owner = await login(plain, org.ownerEmail, PASSWORD);
    const res = await call(plain, owner, 'POST', `/api/v1/orgs/${org.slug}/invitations`, { email: 'x@acme.test', roleId: await roleId(plain, org, 'Viewer') });
    expect(res.json()).toMatchObject({ emailed: false, link: expect.stringContaining('#token=') });
  } finally {
    await plain.close();
  }
});

describe('password reset by e-mail', () => {
  const reset = (email: string) => lk.app.inject({ method: 'POST', url: '/api/v1/auth/password-reset', payload: { email } });
  const complete = (token: string, password: string) =>
    lk.app.inject({ method: 'POST', url: '/api/v1/auth/password-reset/complete', payload: { token, password } });
  const signIn = (email: string, password: string) => lk.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password } });

  it('answers the same for an unknown address; mails only an existing account', async () => {
    const org = await createOrg(lk);
    const known = await reset(org.ownerEmail.toUpperCase());
    const unknown = await reset('nobody@nowhere.test');
    expect(known.statusCode).toBe(202);
    expect({ status: unknown.statusCode, body: unknown.json() }).toEqual({ status: known.statusCode, body: known.json() });
    const mail = await mailTo(org.ownerEmail);
    expect(linkIn(mail, '/reset-password#token=').startsWith(`${lk.config.publicUrl}/reset-password#token=`)).toBe(true);
    await expect(mailTo('nobody@nowhere.test', 300)).rejects.toThrow(/no mail/);
  });

  it('lets the address owner take back an account someone else created and signed in to', async () => {
    // Someone registered the address (say, an inviter vouching for it without SMTP) and holds a session.
    const org = await createOrg(lk);
    const squatter = await login(lk, org.ownerEmail);
    expect((await reset(org.ownerEmail)).statusCode).toBe(202);
    const token = tokenOf(linkIn(await mailTo(org.ownerEmail), '/reset-password#token='));
    expect(errorCode(await complete(token, 'short'))).toBe('validation_failed');
    const done = await complete(token, 'the real owner now');
    expect(done.statusCode, done.body).toBe(200);
    expect(done.json()).toEqual({ next: 'sign_in', email: org.ownerEmail });
    // Every session of the account ended; the old password is gone; the link was single-use.
    expect((await call(lk, squatter, 'GET', '/api/v1/me')).statusCode).toBe(401);
    expect((await signIn(org.ownerEmail, PASSWORD)).statusCode).toBe(401);
    expect((await signIn(org.ownerEmail, 'the real owner now')).statusCode).toBe(200);
    expect(errorCode(await complete(token, 'another new password'))).toBe('password_reset_invalid');
  });

  it('refuses expired, forged and superseded links', async () => {
    const org = await createOrg(lk);
    await reset(org.ownerEmail);
    const first = tokenOf(linkIn(await mailTo(org.ownerEmail), '/reset-password#token='));
    clock.advance(61 * 60_000);
    expect(errorCode(await complete(first, 'a new password 123'))).toBe('password_reset_invalid');
    await reset(org.ownerEmail);
    const second = tokenOf(linkIn(await mailTo(org.ownerEmail), '/reset-password#token='));
    const [userId, expires, mac] = second.split('.');
    const forged = `${userId}.${(parseInt(expires!, 36) + 3_600_000).toString(36)}.${mac}`;
    for (const bad of [forged, `${second}x`, 'garbage', `${userId}..`]) expect(errorCode(await complete(bad, 'a new password 123')), bad).toBe('password_reset_invalid');
    // A password change (here: signed in, through /me/password) retires every outstanding link.
    const session = await login(lk, org.ownerEmail);
    expect((await call(lk, session, 'POST', '/api/v1/me/password', { currentPassword: PASSWORD, newPassword: 'changed meanwhile' })).statusCode).toBe(200);
    expect(errorCode(await complete(second, 'a new password 123'))).toBe('password_reset_invalid');
  });

  it('sends at most three reset e-mails an hour to one address', async () => {
    const org = await createOrg(lk);
    for (let i = 0; i < 5; i++) expect((await reset(org.ownerEmail)).statusCode).toBe(202);
    for (let i = 0; i < 3; i++) await mailTo(org.ownerEmail);
    await expect(mailTo(org.ownerEmail, 300)).rejects.toThrow(/no mail/);
  });
});

it('without SMTP a reset request answers the same and sends nothing', async () => {
  const plain = await startInstance();
  try {
    const org = await createOrg(plain);
    const res = await plain.app.inject({ method: 'POST', url: '/api/v1/auth/password-reset', payload: { email: org.ownerEmail } });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toEqual({ next: 'check_email' });
  } finally {
    await plain.close();
  }
});
