import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  call,
  createOrg,
  errorCode,
  login,
  PASSWORD,
  roleId,
  startInstance,
  testClock,
  type TestInstance,
} from '../helpers/harness.js';
import { invitationEmail, quoteName } from '../../src/services/invitation-email.js';
import { createInvitationLimits } from '../../src/services/invitation-limits.js';
import { Redis } from 'ioredis';
import { randomBytes } from 'node:crypto';
import { startSmtpSink, type Mail, type SmtpSink } from '../helpers/smtp-sink.js';

/**
 * Rule 17 and issue 11, finding 19: with SMTP configured, the invitation link is e-mailed to the address only
 * (to a real SMTP server, run here), and an address owner can take an account back by a password reset.
 */
let sink: SmtpSink;
let received: Mail[];

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
let lk: TestInstance;
const clock = testClock();
/** The decoded text of a received message (quoted-printable soft breaks and escapes undone). */
const decoded = (body: string) =>
  Buffer.from(
    body
      .replace(/=\r?\n/g, '')
      .replace(/=([0-9A-F]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16))),
    'latin1',
  ).toString('utf8');

beforeAll(async () => {
  sink = await startSmtpSink();
  received = sink.received;
  lk = await startInstance(
    { SMTP_URL: sink.url, LATCHKEY_MAIL_FROM: 'Latchkey <keys@acme.test>' },
    { clock },
  );
});
afterAll(async () => {
  await lk.close();
  await sink.close();
});

it('e-mails the single-use link to the invitee only: the inviter never sees it', async () => {
  const org = await createOrg(lk);
  const owner = await login(lk, org.ownerEmail, PASSWORD);
  const res = await call(lk, owner, 'POST', `/api/v1/orgs/${org.slug}/invitations`, {
    email: 'Newbie@Acme.test',
    roleId: await roleId(lk, org, 'Viewer'),
  });
  expect(res.statusCode, res.body).toBe(201);
  expect(res.json().emailed).toBe(true);
  // Issue 11, finding 19: with SMTP, possession of the link proves the address, so nobody else gets it.
  expect(res.json()).not.toHaveProperty('token');
  expect(res.json()).not.toHaveProperty('link');
  const mail = await mailTo('newbie@acme.test');
  expect(mail.body).toMatch(/From: Latchkey <keys@acme.test>/);
  const link = linkIn(mail, '/accept-invite#token=');
  expect(link.startsWith(`${lk.config.publicUrl}/accept-invite#token=`)).toBe(true);
  expect(
    JSON.stringify((await call(lk, owner, 'GET', `/api/v1/orgs/${org.slug}/invitations`)).json()),
  ).not.toContain(tokenOf(link));
  // The address owner accepts from the e-mailed link and signs in.
  const accept = await lk.app.inject({
    method: 'POST',
    url: '/api/v1/invitations/accept',
    payload: { token: tokenOf(link), name: 'Newbie', password: 'newbie password 1' },
  });
  expect(accept.statusCode, accept.body).toBe(202);
  await login(lk, 'newbie@acme.test', 'newbie password 1');
});

it('without SMTP the link is only shown (emailed: false)', async () => {
  const plain = await startInstance();
  try {
    const org = await createOrg(plain);
    const owner = await login(plain, org.ownerEmail, PASSWORD);
    const res = await call(plain, owner, 'POST', `/api/v1/orgs/${org.slug}/invitations`, {
      email: 'x@acme.test',
      roleId: await roleId(plain, org, 'Viewer'),
    });
    expect(res.json()).toMatchObject({ emailed: false, link: expect.stringContaining('#token=') });
  } finally {
    await plain.close();
  }
});

describe('password reset by e-mail', () => {
  const reset = (email: string) =>
    lk.app.inject({ method: 'POST', url: '/api/v1/auth/password-reset', payload: { email } });
  const complete = (token: string, password: string) =>
    lk.app.inject({
      method: 'POST',
      url: '/api/v1/auth/password-reset/complete',
      payload: { token, password },
    });
  const signIn = (email: string, password: string) =>
    lk.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password } });

  it('answers the same for an unknown address; mails only an existing account', async () => {
    const org = await createOrg(lk);
    const known = await reset(org.ownerEmail.toUpperCase());
    const unknown = await reset('nobody@nowhere.test');
    expect(known.statusCode).toBe(202);
    expect({ status: unknown.statusCode, body: unknown.json() }).toEqual({
      status: known.statusCode,
      body: known.json(),
    });
    const mail = await mailTo(org.ownerEmail);
    expect(
      linkIn(mail, '/reset-password#token=').startsWith(`${lk.config.publicUrl}/reset-password#token=`),
    ).toBe(true);
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
    for (const bad of [forged, `${second}x`, 'garbage', `${userId}..`])
      expect(errorCode(await complete(bad, 'a new password 123')), bad).toBe('password_reset_invalid');
    // A password change (here: signed in, through /me/password) retires every outstanding link.
    const session = await login(lk, org.ownerEmail);
    expect(
      (
        await call(lk, session, 'POST', '/api/v1/me/password', {
          currentPassword: PASSWORD,
          newPassword: 'changed meanwhile',
        })
      ).statusCode,
    ).toBe(200);
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
    const res = await plain.app.inject({
      method: 'POST',
      url: '/api/v1/auth/password-reset',
      payload: { email: org.ownerEmail },
    });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toEqual({ next: 'check_email' });
  } finally {
    await plain.close();
  }
});

describe('the invitation e-mail cannot be turned into a relay (finding 18)', () => {
  it('org names are one line of ordinary characters, on create and rename', async () => {
    const owner = await login(lk, (await createOrg(lk)).ownerEmail);
    const bad = [
      'Acme\nYour account is suspended: verify it at https://evil.test',
      'x'.repeat(200),
      'Acme\u202Egnp.exe',
      'Acme\u2066hidden\u2069',
      'Acme\u200F',
      'Acme\u0000',
      'Ac\u200Bme',
    ];
    for (const name of bad) {
      const created = await call(lk, owner, 'POST', '/api/v1/orgs', {
        name,
        slug: `relay-${Math.random().toString(36).slice(2, 10)}`,
      });
      expect(created.statusCode, `${JSON.stringify(name)}: ${created.body}`).toBe(400);
      expect(errorCode(created)).toBe('validation_failed');
    }
    const org = await createOrg(lk);
    const admin = await login(lk, org.ownerEmail);
    for (const name of bad) {
      const renamed = await call(lk, admin, 'PATCH', `/api/v1/orgs/${org.slug}`, { name });
      expect(renamed.statusCode, `${JSON.stringify(name)}: ${renamed.body}`).toBe(400);
      expect(errorCode(renamed)).toBe('validation_failed');
    }
    const ok = await call(lk, admin, 'PATCH', `/api/v1/orgs/${org.slug}`, {
      name: '  Bücher & Söhne — EU  ',
    });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json().name).toBe('Bücher & Söhne — EU');
  });

  it('the body is a fixed text: names are quoted and escaped, even an org name from before the rule', async () => {
    const org = await createOrg(lk);
    // An org named before names were restricted: multi-line, with a right-to-left override.
    const legacy = 'Acme\n\nYour account is locked. Unlock it at https://evil.test/\u202Emoc.evil';
    await sql`update orgs set name = ${legacy} where id = ${org.id}`.execute(lk.handle.db);
    const owner = await login(lk, org.ownerEmail);
    const before = received.length;
    const res = await call(lk, owner, 'POST', `/api/v1/orgs/${org.slug}/invitations`, {
      email: 'target@victim.test',
      roleId: await roleId(lk, org, 'Viewer'),
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(received).toHaveLength(before + 1);
    const body = decoded(received[before]!.body);
    expect(body).toMatch(/Subject: Your invitation to an organization on Latchkey/);
    expect(body).toContain(`Organization: ${quoteName(legacy)}`);
    expect(body).toContain('"Acme\\u{A}\\u{A}Your account is locked.');
    expect(body).not.toContain('\u202E');
    expect(body).not.toMatch(/^Your account is locked/m);
    expect(body).toContain(`Invited by:   "${org.ownerEmail}"`);
    expect(body).toContain(`${lk.config.publicUrl}/accept-invite#token=`);
    expect(res.json().link).toBeUndefined(); // with SMTP the link goes to the address only
  });

  it('quoteName escapes quotes, backslashes, controls, bidi and invisible characters, and cuts long names', () => {
    expect(quoteName('Acme "Corp" \\ Co')).toBe('"Acme \\"Corp\\" \\\\ Co"');
    expect(quoteName('a\r\nb\tc\u0000')).toBe('"a\\u{D}\\u{A}b\\u{9}c\\u{0}"');
    expect(quoteName('x\u202Ey\u2066z\u200Bw\u00A0v\u2028')).toBe(
      '"x\\u{202E}y\\u{2066}z\\u{200B}w\\u{A0}v\\u{2028}"',
    );
    expect(quoteName('y'.repeat(100))).toBe(`"${'y'.repeat(64)}…"`);
    expect(quoteName('Bücher & Söhne 🚀')).toBe('"Bücher & Söhne 🚀"');
    const text = invitationEmail({
      publicUrl: 'https://lk.example',
      orgName: 'O',
      roleName: 'R',
      inviter: 'i@x.test',
      link: 'https://lk.example/accept-invite#token=t',
      expiresAt: '2030-01-01T00:00:00.000Z',
    }).text;
    expect(text.split('\n').filter((l) => l.includes('"'))).toEqual([
      '  Organization: "O"',
      '  Role:         "R"',
      '  Invited by:   "i@x.test"',
    ]);
  });

  it('limits invitations per inviter per hour and per org per day, shared by every inviter of the org', async () => {
    const limited = await startInstance({
      SMTP_URL: sink.url,
      LATCHKEY_INVITATIONS_PER_INVITER_PER_HOUR: '3',
      LATCHKEY_INVITATIONS_PER_ORG_PER_DAY: '5',
    });
    try {
      const org = await createOrg(limited);
      const viewer = await roleId(limited, org, 'Viewer');
      // One invitation as the owner (the link arrives by mail): 2 left for the owner, 4 for the org.
      const owner = await login(limited, org.ownerEmail);
      const adminEmail = 'second-admin@limits.test';
      const first = await call(limited, owner, 'POST', `/api/v1/orgs/${org.slug}/invitations`, {
        email: adminEmail,
        roleId: await roleId(limited, org, 'Admin'),
      });
      expect(first.statusCode, first.body).toBe(201);
      const token = tokenOf(linkIn(await mailTo(adminEmail), '/accept-invite#token='));
      const joined = await limited.app.inject({
        method: 'POST',
        url: '/api/v1/invitations/accept',
        payload: { token, name: 'Second', password: PASSWORD },
      });
      expect(joined.statusCode, joined.body).toBe(202);
      const admin = { caller: await login(limited, adminEmail) };
      const invite = (caller: typeof owner, email: string) =>
        call(limited, caller, 'POST', `/api/v1/orgs/${org.slug}/invitations`, { email, roleId: viewer });
      // A refused invitation (already a member) does not count.
      expect(errorCode(await invite(owner, 'second-admin@limits.test'))).toBe('already_member');
      const sent = received.length;
      expect((await invite(owner, 'a@limits.test')).statusCode).toBe(201);
      expect((await invite(owner, 'b@limits.test')).statusCode).toBe(201);
      const third = await invite(owner, 'c@limits.test');
      expect(third.statusCode, third.body).toBe(429);
      expect(errorCode(third)).toBe('rate_limited');
      expect(third.json().error.details).toMatchObject({ limit: 'inviter' });
      expect(Number(third.headers['retry-after'])).toBeGreaterThan(0);
      // Another inviter of the same org: its own hourly budget, but the org's daily one is shared.
      expect((await invite(admin.caller, 'd@limits.test')).statusCode).toBe(201);
      expect((await invite(admin.caller, 'e@limits.test')).statusCode).toBe(201);
      const overOrg = await invite(admin.caller, 'f@limits.test');
      expect(overOrg.statusCode, overOrg.body).toBe(429);
      expect(overOrg.json().error.details).toMatchObject({ limit: 'org' });
      expect(received.length - sent).toBe(4);
      // A burst of 30 sends nothing more.
      const burst = await Promise.all(
        Array.from({ length: 30 }, (_, i) => invite(admin.caller, `burst${i}@victim.test`)),
      );
      expect(burst.every((r) => r.statusCode === 429)).toBe(true);
      expect(received.length - sent).toBe(4);
      // Another org of the same owner: the owner's own hourly budget is spent there too.
      const other = await call(limited, owner, 'POST', '/api/v1/orgs', {
        name: 'Second',
        slug: `second-${org.slug}`,
      });
      expect(other.statusCode, other.body).toBe(201);
      const otherRoles = (await call(limited, owner, 'GET', `/api/v1/orgs/${other.json().slug}/roles`)).json()
        .items as { id: string; name: string }[];
      const elsewhere = await call(limited, owner, 'POST', `/api/v1/orgs/${other.json().slug}/invitations`, {
        email: 'g@limits.test',
        roleId: otherRoles.find((r) => r.name === 'Viewer')!.id,
      });
      expect(errorCode(elsewhere)).toBe('rate_limited');
    } finally {
      await limited.close();
    }
  });
});

describe('invitation limits through Redis (REDIS_URL)', () => {
  it('two instances share the counts', async () => {
    const redis = new Redis(process.env.LATCHKEY_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379', {
      maxRetriesPerRequest: 1,
      enableOfflineQueue: false,
    });
    await new Promise<void>((resolve, reject) => {
      redis.once('ready', () => resolve());
      redis.once('error', reject);
    });
    try {
      const a = createInvitationLimits({ perInviterPerHour: 3, perOrgPerDay: 100, redis });
      const b = createInvitationLimits({ perInviterPerHour: 3, perOrgPerDay: 100, redis });
      const [org, inviter] = [
        `org_${randomBytes(8).toString('hex')}`,
        `usr:${randomBytes(8).toString('hex')}`,
      ];
      await a.take(org, inviter);
      await b.take(org, inviter);
      await a.take(org, inviter);
      await expect(b.take(org, inviter)).rejects.toMatchObject({
        code: 'rate_limited',
        details: { limit: 'inviter' },
      });
      await expect(a.take(org, inviter)).rejects.toMatchObject({ code: 'rate_limited' });
      // Another inviter in the same org is not affected by the first one's hourly count.
      await expect(b.take(org, `${inviter}-2`)).resolves.toBeUndefined();
    } finally {
      redis.disconnect();
    }
  });
});
