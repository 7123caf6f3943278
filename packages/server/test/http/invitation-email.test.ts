import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { call, createOrg, login, PASSWORD, roleId, startInstance, type TestInstance } from '../helpers/harness.js';

/** Rule 17: with SMTP configured, the invitation link is e-mailed (to a real SMTP server, run here). */
const received: { to: string[]; body: string }[] = [];
let smtp: SMTPServer;
let lk: TestInstance;

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
  lk = await startInstance({ SMTP_URL: `smtp://127.0.0.1:${port}`, LATCHKEY_MAIL_FROM: 'Latchkey <keys@acme.test>' });
});
afterAll(async () => {
  await lk.close();
  await new Promise<void>((r) => smtp.close(() => r()));
});

it('e-mails the single-use link to the invitee, and still shows it to the inviter', async () => {
  const org = await createOrg(lk);
  const owner = await login(lk, org.ownerEmail, PASSWORD);
  const res = await call(lk, owner, 'POST', `/api/v1/orgs/${org.slug}/invitations`, { email: 'Newbie@Acme.test', roleId: await roleId(lk, org, 'Viewer') });
  expect(res.statusCode, res.body).toBe(201);
  expect(res.json().emailed).toBe(true);
  const { link } = res.json() as { link: string };
  expect(received).toHaveLength(1);
  expect(received[0]!.to).toEqual(['newbie@acme.test']);
  const body = received[0]!.body.replace(/=\r?\n/g, '').replace(/=3D/g, '=');
  expect(body).toContain(link);
  expect(body).toMatch(/From: Latchkey <keys@acme.test>/);
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
