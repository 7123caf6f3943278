import type { LookupAddress } from 'node:dns';
import { Webhook } from 'standardwebhooks';
import { Value } from 'typebox/value';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { registerStrictFormats } from '../../src/http/schemas.js';
import { webhookEnvelope } from '../../src/http/webhook-docs.js';
import { WEBHOOK_EVENT_TYPES, RETRY_DELAYS_SECONDS } from '../../src/domain/webhook-events.js';
import { inTransaction } from '../../src/services/context.js';
import {
  bearer,
  call,
  createOrg,
  createServiceAccount,
  createToken,
  errorCode,
  login,
  startInstance,
  testClock,
  type Org,
  type TestInstance,
} from '../helpers/harness.js';
import { startReceiver, type Receiver } from '../helpers/webhook-receiver.js';
import { startSmtpSink, type Mail, type SmtpSink } from '../helpers/smtp-sink.js';

/**
 * Events out (issue 16): endpoints, the outbox written with the change, Standard Webhooks signatures checked
 * by the `standardwebhooks` verifier in a real HTTP receiver, retries on the back-off schedule (injected
 * clock), SSRF refusals at save and at delivery time, and the notices — first use from a new origin or
 * address, exhausted limits, expiry thresholds e-mailed through a real SMTP sink. Both stores.
 */
// Near the machine's date: the usage flush keeps sources for LATCHKEY_USAGE_RETENTION_DAYS back from today.
const T0 = new Date(Math.floor(Date.now() / 1000) * 1000);
const clock = testClock(T0);
let lk: TestInstance;
let org: Org;
let receiver: Receiver;
let sink: SmtpSink;
let mails: Mail[];
/** Names the tests resolve themselves: one that points at the cloud metadata service. */
const RESOLVE: Record<string, string> = { 'metadata.test': '169.254.169.254', 'imds6.test': 'fd00:ec2::254' };

beforeAll(async () => {
  sink = await startSmtpSink();
  mails = sink.received;
  lk = await startInstance(
    {
      LATCHKEY_WEBHOOKS_ALLOW_INSECURE: 'true',
      SMTP_URL: sink.url,
    },
    {
      clock,
      webhooks: {
        resolve: ((host: string, options: unknown, cb: (e: Error | null, a: LookupAddress[]) => void) => {
          const address = RESOLVE[host] ?? '127.0.0.1';
          cb(null, [{ address, family: address.includes(':') ? 6 : 4 }]);
        }) as never,
      },
    },
  );
  org = await createOrg(lk);
  receiver = await startReceiver();
});
afterAll(async () => {
  await lk?.close();
  await receiver?.close();
  await sink.close();
});
// Every body a receiver got is what the OpenAPI document's webhooks section says for its type.
afterEach(() => {
  registerStrictFormats();
  for (const r of receiver.received) {
    const errors = [...Value.Errors(webhookEnvelope(r.event.type), r.event)].map(
      (e) => `${e.instancePath} ${e.message}`,
    );
    expect(errors, r.event.type).toEqual([]);
  }
});
beforeEach(async () => {
  // Each test starts with no endpoints (a deleted endpoint's deliveries are never sent).
  await removeAll();
  receiver.received.length = 0;
  receiver.status = 204;
});

const endpointsUrl = (o: Org = org) => `/api/v1/orgs/${o.slug}/webhook-endpoints`;
/** Runs the dispatcher until nothing is due; how many attempts it made. */
async function deliver(): Promise<number> {
  let total = 0;
  for (let n = await lk.webhooks.dispatcher.runOnce(); n > 0; n = await lk.webhooks.dispatcher.runOnce())
    total += n;
  return total;
}
/**
 * The `standardwebhooks` verifier, at the time the webhook was signed: the tests' clock is not the machine's,
 * and the verifier refuses a timestamp more than five minutes from its own now.
 */
function verifySigned(secret: string, r: { body: string; headers: Record<string, unknown> }): unknown {
  const spy = vi.spyOn(Date, 'now').mockReturnValue(Number(r.headers['webhook-timestamp']) * 1000);
  try {
    return new Webhook(secret).verify(r.body, r.headers as Record<string, string>);
  } finally {
    spy.mockRestore();
  }
}
async function addEndpoint(eventTypes: readonly string[] = WEBHOOK_EVENT_TYPES, url = receiver.url, o = org) {
  const res = await call(lk, o.admin, 'POST', endpointsUrl(o), { url, eventTypes });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as { id: string; secret: string; eventTypes: string[] };
}
async function removeAll(o = org) {
  for (const e of (await call(lk, o.admin, 'GET', endpointsUrl(o))).json().items)
    await call(lk, o.admin, 'DELETE', `${endpointsUrl(o)}/${e.id}`);
}
const verifyToken = (token: string, extra: Record<string, unknown> = {}) =>
  call(lk, null, 'POST', '/api/v1/verify', { token, ...extra });

describe('endpoints', () => {
  it('the secret is in the create answer only; list, get and the audit log never show it', async () => {
    const created = await addEndpoint(['token.created']);
    expect(created.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const list = await call(lk, org.admin, 'GET', endpointsUrl());
    const got = await call(lk, org.admin, 'GET', `${endpointsUrl()}/${created.id}`);
    const audit = await call(lk, org.admin, 'GET', `/api/v1/orgs/${org.slug}/audit-log`);
    for (const res of [list, got, audit]) {
      expect(res.statusCode).toBe(200);
      expect(res.body).not.toContain(created.secret);
      expect(res.body).not.toContain(created.secret.slice(6, 30));
    }
    expect(got.json()).toMatchObject({ id: created.id, status: 'enabled', eventTypes: ['token.created'] });
    expect(audit.json().items.map((e: { action: string }) => e.action)).toContain('webhook_endpoint.create');
    await removeAll();
  });

  it('refuses http:// and internal targets unless allowed, and metadata addresses always', async () => {
    const strict = await startInstance();
    try {
      const o = await createOrg(strict);
      for (const url of [
        'http://hooks.example.com/x',
        'https://127.0.0.1/x',
        'https://10.1.2.3/x',
        'https://localhost/x',
        'https://user:pw@hooks.example.com/x',
        'https://169.254.169.254/latest/meta-data',
        'ftp://hooks.example.com/',
        'not a url',
      ]) {
        const res = await call(strict, o.admin, 'POST', `/api/v1/orgs/${o.slug}/webhook-endpoints`, {
          url,
          eventTypes: ['token.created'],
        });
        expect(res.statusCode, url).toBe(400);
        expect(errorCode(res), url).toBe('invalid_webhook_url');
      }
      const ok = await call(strict, o.admin, 'POST', `/api/v1/orgs/${o.slug}/webhook-endpoints`, {
        url: 'https://hooks.example.com/latchkey',
        eventTypes: ['token.created'],
      });
      expect(ok.statusCode, ok.body).toBe(201);
    } finally {
      await strict.close();
    }
    // Allowed insecure: loopback yes, link-local and metadata never (also as IPv4-mapped IPv6).
    for (const url of [
      'http://169.254.169.254/latest/meta-data',
      'http://[::ffff:169.254.169.254]/',
      'http://[fd00:ec2::254]/',
      'http://[fe80::1]/',
      'http://0.0.0.0/',
      // IPv4-compatible and IPv4-translated IPv6 forms of 169.254.169.254 (attack review).
      'http://[::a9fe:a9fe]/',
      'http://[::169.254.169.254]/',
      'http://[::ffff:0:a9fe:a9fe]/',
    ]) {
      const res = await call(lk, org.admin, 'POST', endpointsUrl(), { url, eventTypes: ['token.created'] });
      expect(errorCode(res), url).toBe('invalid_webhook_url');
    }
    expect((await call(lk, org.admin, 'GET', endpointsUrl())).json().items).toHaveLength(0);
  });

  it('bad bodies are 400 and change nothing; unknown event types are refused', async () => {
    for (const body of [
      { url: receiver.url, eventTypes: [] },
      { url: receiver.url, eventTypes: ['token.nope'] },
      { url: receiver.url },
      { url: `${receiver.url}\u0000`, eventTypes: ['token.created'] },
      { url: receiver.url, eventTypes: ['token.created'], secret: 'mine' },
    ]) {
      const res = await call(lk, org.admin, 'POST', endpointsUrl(), body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
    }
    expect((await call(lk, org.admin, 'GET', endpointsUrl())).json().items).toHaveLength(0);
  });

  it('subscribing needs the view permission of what the events describe; Viewers cannot add endpoints', async () => {
    const role = await call(lk, org.admin, 'POST', `/api/v1/orgs/${org.slug}/roles`, {
      name: 'Hook keeper',
      permissions: ['webhook_endpoints:edit'],
    });
    expect(role.statusCode, role.body).toBe(201);
    const sa = await createServiceAccount(lk, org, 'hook-keeper', { roleId: role.json().id });
    const { token } = await createToken(lk, org, { serviceAccountId: sa.id });
    const keeper = bearer(token);
    const refused = await call(lk, keeper, 'POST', endpointsUrl(), {
      url: receiver.url,
      eventTypes: ['webhook_endpoint.created', 'token.created', 'member.joined'],
    });
    expect(refused.statusCode).toBe(403);
    expect(errorCode(refused)).toBe('permission_escalation');
    expect(refused.json().error.details.missing.sort()).toEqual(['members:view', 'tokens:view']);
    const allowed = await call(lk, keeper, 'POST', endpointsUrl(), {
      url: receiver.url,
      eventTypes: ['webhook_endpoint.created'],
    });
    expect(allowed.statusCode, allowed.body).toBe(201);

    const viewerSa = await createServiceAccount(lk, org, 'hook-viewer');
    const viewer = bearer((await createToken(lk, org, { serviceAccountId: viewerSa.id })).token);
    expect((await call(lk, viewer, 'GET', endpointsUrl())).statusCode).toBe(200);
    const denied = await call(lk, viewer, 'POST', endpointsUrl(), {
      url: receiver.url,
      eventTypes: ['token.created'],
    });
    expect(denied.statusCode).toBe(403);
    expect(errorCode(denied)).toBe('forbidden');
    await removeAll();
  });

  it('changing an endpoint needs the view permissions of what it receives (attack review: a URL swap)', async () => {
    const owners = await addEndpoint(['token.created', 'member.joined']);
    const role = await call(lk, org.admin, 'POST', `/api/v1/orgs/${org.slug}/roles`, {
      name: 'Hook editor',
      permissions: ['webhook_endpoints:edit'],
    });
    const sa = await createServiceAccount(lk, org, 'hook-editor', { roleId: role.json().id });
    const editor = bearer((await createToken(lk, org, { serviceAccountId: sa.id })).token);
    const url = `${endpointsUrl()}/${owners.id}`;
    await deliver();
    clock.advance(1000);
    const { item } = await createToken(lk, org, { serviceAccountId: sa.id, name: 'watched' });
    await deliver();
    const [sent] = (await call(lk, org.admin, 'GET', `${url}/deliveries`)).json().items;
    for (const [method, suffix, body] of [
      ['PATCH', '', { url: 'http://127.0.0.1:9/stolen' }],
      ['PATCH', '', { enabled: false }],
      ['POST', '/rotate-secret', undefined],
      ['POST', '/test', undefined],
      ['POST', `/deliveries/${sent.id}/resend`, undefined],
      ['DELETE', '', undefined],
    ] as const) {
      const res = await call(lk, editor, method, `${url}${suffix}`, body);
      expect(res.statusCode, `${method} ${suffix}`).toBe(403);
      expect(errorCode(res)).toBe('permission_escalation');
      expect(res.json().error.details.missing.sort()).toEqual(['members:view', 'tokens:view']);
    }
    const after = (await call(lk, org.admin, 'GET', url)).json();
    expect(after).toMatchObject({ url: receiver.url, status: 'enabled' });
    // It still sees that the endpoint exists and what went out, but not the token inside.
    expect((await call(lk, editor, 'GET', `${url}/deliveries`)).statusCode).toBe(200);
    const detail = (await call(lk, editor, 'GET', `${url}/deliveries/${sent.id}`)).json();
    expect(detail).toMatchObject({ eventType: 'token.created', payload: null });
    expect(JSON.stringify(detail)).not.toContain(item.id);
    expect((await call(lk, org.admin, 'GET', `${url}/deliveries/${sent.id}`)).json().payload).toMatchObject({
      data: { token: { id: item.id } },
    });
  });

  it("another org's endpoint is not found", async () => {
    const other = await createOrg(lk);
    const theirs = await addEndpoint(['token.created'], receiver.url, other);
    for (const [method, suffix] of [
      ['GET', ''],
      ['PATCH', ''],
      ['DELETE', ''],
      ['POST', '/rotate-secret'],
      ['POST', '/test'],
      ['GET', '/deliveries'],
    ] as const) {
      const res = await call(
        lk,
        org.admin,
        method,
        `${endpointsUrl()}/${theirs.id}${suffix}`,
        method === 'PATCH' ? { enabled: false } : undefined,
      );
      expect(res.statusCode, `${method} ${suffix}`).toBe(404);
    }
    expect((await call(lk, other.admin, 'GET', `${endpointsUrl(other)}/${theirs.id}`)).json().status).toBe(
      'enabled',
    );
  });
});

describe('delivery', () => {
  it('sends each subscribed change signed (Standard Webhooks), with no value or hash in it', async () => {
    const endpoint = await addEndpoint(['token.created', 'token.revoked']);
    const sa = await createServiceAccount(lk, org, 'delivered');
    const { token, item } = await createToken(lk, org, { serviceAccountId: sa.id, name: 'signed' });
    expect(
      (await call(lk, org.admin, 'DELETE', `/api/v1/orgs/${org.slug}/tokens/${item.id}`)).statusCode,
    ).toBe(204);
    expect(await deliver()).toBe(2);
    const got = await receiver.waitFor(2);
    for (const r of got) {
      const verified = verifySigned(endpoint.secret, r) as { id: string };
      expect(verified.id).toBe(r.headers['webhook-id']);
      expect(r.body).not.toContain(token);
      expect(r.body).not.toMatch(/"hash"/);
    }
    expect(got.map((r) => r.event.type).sort()).toEqual(['token.created', 'token.revoked']);
    const created = receiver.ofType('token.created')[0]!.event;
    expect(created).toMatchObject({
      org: { id: org.id, slug: org.slug },
      actor: { type: 'token' },
      data: { token: { id: item.id, name: 'signed', type: 'private' } },
    });
    // A tampered body or a foreign secret fails the receiver's check.
    const one = got[0]!;
    expect(() =>
      verifySigned(endpoint.secret, { ...one, body: one.body.replace('signed', 'forged') }),
    ).toThrow();
    expect(() => verifySigned(`whsec_${Buffer.alloc(32, 7).toString('base64')}`, one)).toThrow();
    // The SA creation is not subscribed to; nothing else is due.
    expect(await deliver()).toBe(0);
    const log = (await call(lk, org.admin, 'GET', `${endpointsUrl()}/${endpoint.id}/deliveries`)).json();
    expect(log.items.map((d: { status: string }) => d.status)).toEqual(['delivered', 'delivered']);
    expect(JSON.stringify(log)).not.toContain(endpoint.secret);
    await removeAll();
  });

  it('a change that rolls back sends nothing', async () => {
    await addEndpoint(['org.updated']);
    const scope = {
      org: (await lk.store.orgs.findById(org.id))!,
      actor: { type: 'system' as const, id: null, label: 'test', userId: null, ip: null },
      permissions: [],
    };
    const view = {
      id: org.id,
      slug: org.slug,
      name: 'x',
      maxTokenLifetimeDays: null,
      createdAt: '',
      updatedAt: '',
    };
    await expect(
      inTransaction(lk.services.deps, async (_tx, events) => {
        await events.record(scope, clock.now().toISOString(), {
          type: 'org.updated',
          before: view,
          after: view,
        });
        throw new Error('the change fails after its event was recorded');
      }),
    ).rejects.toThrow('the change fails');
    expect(await deliver()).toBe(0);
    const owner = await login(lk, org.ownerEmail);
    const ok = await call(lk, owner, 'PATCH', `/api/v1/orgs/${org.slug}`, { name: 'Renamed Org' });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(await deliver()).toBe(1);
    expect(receiver.ofType('org.updated')).toHaveLength(1);
    await removeAll();
  });

  it('retries a failing receiver on the back-off schedule, then gives up; re-send starts again', async () => {
    const endpoint = await addEndpoint(['service_account.created']);
    await createServiceAccount(lk, org, 'retried');
    receiver.status = 500;
    const start = clock.now().getTime();
    expect(await deliver()).toBe(1);
    const logUrl = `${endpointsUrl()}/${endpoint.id}/deliveries`;
    let [d] = (await call(lk, org.admin, 'GET', logUrl)).json().items;
    expect(d).toMatchObject({ status: 'pending', attempts: 1, lastStatusCode: 500 });
    // Not due before its delay; due after it. Every attempt carries the same webhook-id.
    let elapsed = 0;
    for (const [i, delay] of RETRY_DELAYS_SECONDS.entries()) {
      expect(Date.parse(d.nextAttemptAt) - Date.parse(d.lastAttemptAt)).toBe(delay * 1000);
      clock.advance(delay * 1000 - 1000);
      elapsed += delay * 1000;
      expect(await deliver(), `attempt ${i + 2} is not due yet`).toBe(0);
      clock.advance(1000);
      expect(await deliver()).toBe(1);
      [d] = (await call(lk, org.admin, 'GET', logUrl)).json().items;
      expect(d.attempts).toBe(i + 2);
    }
    expect(elapsed / 3600_000).toBeGreaterThan(24);
    expect(d).toMatchObject({
      status: 'failed',
      attempts: RETRY_DELAYS_SECONDS.length + 1,
      nextAttemptAt: null,
    });
    expect(new Set(receiver.received.map((r) => r.headers['webhook-id'])).size).toBe(1);
    expect(clock.now().getTime() - start).toBe(elapsed);
    const detail = (await call(lk, org.admin, 'GET', `${logUrl}/${d.id}`)).json();
    expect(detail.attemptLog).toHaveLength(RETRY_DELAYS_SECONDS.length + 1);
    expect(detail.attemptLog[0]).toMatchObject({ statusCode: 500, error: 'HTTP 500' });
    expect(detail.payload).toMatchObject({ type: 'service_account.created' });

    receiver.status = 200;
    const resent = await call(lk, org.admin, 'POST', `${logUrl}/${d.id}/resend`);
    expect(resent.statusCode, resent.body).toBe(200);
    expect(resent.json()).toMatchObject({ status: 'pending', attempts: 0 });
    expect(await deliver()).toBe(1);
    expect((await call(lk, org.admin, 'GET', logUrl)).json().items[0]).toMatchObject({ status: 'delivered' });
    await removeAll();
  });

  it('disables an endpoint failing for days on end, records it and e-mails the Owners', async () => {
    const endpoint = await addEndpoint(['service_account.created']);
    receiver.status = 503;
    const days = lk.config.webhooksDisableAfterDays;
    for (let i = 0; i <= days; i++) {
      await createServiceAccount(lk, org, `failing-${i}`);
      await deliver();
      clock.advance(86_400_000);
    }
    await deliver();
    const got = (await call(lk, org.admin, 'GET', `${endpointsUrl()}/${endpoint.id}`)).json();
    expect(got).toMatchObject({ status: 'disabled', disabledReason: 'failing' });
    const audit = (
      await call(lk, org.admin, 'GET', `/api/v1/orgs/${org.slug}/audit-log?action=webhook_endpoint.disable`)
    ).json();
    expect(audit.items).toHaveLength(1);
    expect(audit.items[0].actor).toMatchObject({ type: 'system' });
    const mail = await waitForMail((m) => m.body.includes('webhook endpoint disabled'));
    expect(mail.to).toEqual([org.ownerEmail]);
    // Disabled: nothing is sent, and re-sending is refused until it is enabled again.
    const before = receiver.received.length;
    await createServiceAccount(lk, org, 'while-disabled');
    expect(await deliver()).toBe(0);
    expect(receiver.received.length).toBe(before);
    receiver.status = 204;
    const enabled = await call(lk, org.admin, 'PATCH', `${endpointsUrl()}/${endpoint.id}`, { enabled: true });
    expect(enabled.json()).toMatchObject({ status: 'enabled', disabledReason: null, failingSince: null });
    expect(await deliver()).toBeGreaterThanOrEqual(1);
    await removeAll();
  });

  it('refuses, at delivery time, a name that resolves to a metadata or link-local address', async () => {
    // Saved as a name (allowed), resolved when sent: 169.254.169.254 and fd00:ec2::254 are never contacted.
    for (const host of ['metadata.test', 'imds6.test']) {
      const endpoint = await addEndpoint(['service_account.created'], `http://${host}/latest/meta-data`);
      await createServiceAccount(lk, org, `ssrf-${host.replace('.', '-')}`);
      expect(await deliver()).toBe(1);
      const [d] = (await call(lk, org.admin, 'GET', `${endpointsUrl()}/${endpoint.id}/deliveries`)).json()
        .items;
      // Refused without saying which address the name resolved to (no internal-DNS oracle).
      expect(d.lastError).toBe(`refused_address: ${host} resolves to an address webhooks may not reach`);
      expect(d.lastStatusCode).toBeNull();
      await removeAll();
    }
    expect(receiver.received).toHaveLength(0);
  });

  it('a rotated secret signs alongside the old one for a day', async () => {
    const endpoint = await addEndpoint(['service_account.created']);
    const rotated = (
      await call(lk, org.admin, 'POST', `${endpointsUrl()}/${endpoint.id}/rotate-secret`)
    ).json();
    expect(rotated.secret).not.toBe(endpoint.secret);
    expect(Date.parse(rotated.previousSecretExpiresAt) - clock.now().getTime()).toBe(86_400_000);
    await createServiceAccount(lk, org, 'rotated-1');
    await deliver();
    const [first] = await receiver.waitFor(1);
    expect((first!.headers['webhook-signature'] as string).split(' ')).toHaveLength(2);
    for (const secret of [endpoint.secret, rotated.secret])
      expect(() => verifySigned(secret, first!)).not.toThrow();
    clock.advance(86_400_000 + 1000);
    await createServiceAccount(lk, org, 'rotated-2');
    await deliver();
    const [, second] = await receiver.waitFor(2);
    expect(() => verifySigned(endpoint.secret, second!)).toThrow();
    expect(() => verifySigned(rotated.secret, second!)).not.toThrow();
    await removeAll();
  });

  it('test events are bounded per endpoint; a re-send of an attempt in flight is refused', async () => {
    const e = await addEndpoint(['token.created']);
    const url = `${endpointsUrl()}/${e.id}`;
    for (let i = 0; i < 5; i++)
      expect((await call(lk, org.admin, 'POST', `${url}/test`)).statusCode).toBe(202);
    const sixth = await call(lk, org.admin, 'POST', `${url}/test`);
    expect(sixth.statusCode).toBe(429);
    expect(errorCode(sixth)).toBe('rate_limited');
    expect(sixth.headers['retry-after']).toBe('60');
    // One claimed (as the dispatcher would, mid-attempt): its re-send waits for the outcome.
    const now = clock.now();
    const [claimed] = await lk.store.transaction((tx) =>
      tx.webhooks.claimDue(now.toISOString(), new Date(now.getTime() + 40_000).toISOString(), 1, {
        perEndpoint: 1,
        perOrg: 1,
      }),
    );
    const res = await call(lk, org.admin, 'POST', `${url}/deliveries/${claimed!.id}/resend`);
    expect(res.statusCode).toBe(409);
    expect(errorCode(res)).toBe('delivery_in_flight');
  });

  it('a test event goes to the one endpoint asked', async () => {
    const a = await addEndpoint(['token.created']);
    await addEndpoint(['token.created']);
    const res = await call(lk, org.admin, 'POST', `${endpointsUrl()}/${a.id}/test`);
    expect(res.statusCode, res.body).toBe(202);
    expect(await deliver()).toBe(1);
    const [got] = await receiver.waitFor(1);
    expect(got!.event.type).toBe('webhook.test');
    expect(() => verifySigned(a.secret, got!)).not.toThrow();
    await removeAll();
  });
});

describe('notices', () => {
  it('first use from a new origin or address fires once per origin and per address', async () => {
    await addEndpoint(['token.first_used_origin', 'token.first_used_address']);
    const sa = await createServiceAccount(lk, org, 'first-use');
    const { token, item } = await createToken(lk, org, {
      serviceAccountId: sa.id,
      type: 'public',
      domains: ['https://a.example', 'https://b.example'],
      permissions: ['assets:view'],
    });
    for (const origin of ['https://a.example', 'https://a.example', 'https://b.example'])
      expect((await verifyToken(token, { origin, ip: '203.0.113.7' })).json().valid).toBe(true);
    await lk.usage.flush();
    await lk.webhooks.notices.sweep();
    await deliver();
    const ours = (type: string) => receiver.ofType(type).filter((r) => r.event.data.token.id === item.id);
    expect(
      ours('token.first_used_origin')
        .map((r) => r.event.data.origin)
        .sort(),
    ).toEqual(['https://a.example', 'https://b.example']);
    expect(ours('token.first_used_address').map((r) => r.event.data.address)).toEqual(['203.0.113.7']);
    expect(receiver.ofType('token.first_used_origin')[0]!.event).toMatchObject({
      actor: null,
      data: { token: { type: 'public' } },
    });
    // Seen before: nothing new, however often.
    for (let i = 0; i < 3; i++) await verifyToken(token, { origin: 'https://a.example', ip: '203.0.113.7' });
    await lk.usage.flush();
    expect(await lk.webhooks.notices.sweep()).toBe(0);
    await removeAll();
  });

  it('an exhausted rate-limit window is announced once per window', async () => {
    await addEndpoint(['token.rate_limited']);
    const sa = await createServiceAccount(lk, org, 'limited');
    const { token } = await createToken(lk, org, {
      serviceAccountId: sa.id,
      rateLimits: [{ name: 'minute', limit: 2, windowSeconds: 60 }],
    });
    const codes = [];
    for (let i = 0; i < 6; i++) codes.push((await verifyToken(token)).json().code);
    expect(codes.filter((c) => c === 'rate_limited')).toHaveLength(4);
    await lk.webhooks.notices.sweep();
    await verifyToken(token);
    await lk.webhooks.notices.sweep();
    await deliver();
    const events = receiver.ofType('token.rate_limited');
    expect(events).toHaveLength(1);
    expect(events[0]!.event.data.window).toMatchObject({ name: 'minute', limit: 2, remaining: 0 });
    // The next window's exhaustion is a new notice.
    clock.advance(60_000);
    for (let i = 0; i < 3; i++) await verifyToken(token);
    await lk.webhooks.notices.sweep();
    await deliver();
    expect(receiver.ofType('token.rate_limited')).toHaveLength(2);
    await removeAll();
  });

  it('an exhausted quota is announced once until its next refill', async () => {
    await addEndpoint(['token.quota_exhausted']);
    const sa = await createServiceAccount(lk, org, 'metered');
    const { token, item } = await createToken(lk, org, {
      serviceAccountId: sa.id,
      quota: { limit: 2, refill: null },
    });
    const codes = [];
    for (let i = 0; i < 5; i++) codes.push((await verifyToken(token)).json().code);
    expect(codes).toEqual(['valid', 'valid', 'quota_exhausted', 'quota_exhausted', 'quota_exhausted']);
    await lk.webhooks.notices.sweep();
    await verifyToken(token);
    await lk.webhooks.notices.sweep();
    await deliver();
    const events = receiver.ofType('token.quota_exhausted');
    expect(events).toHaveLength(1);
    expect(events[0]!.event.data).toMatchObject({
      token: { id: item.id },
      quota: { limit: 2, remaining: 0, refillAt: null },
    });
  });

  it('expiry: each threshold once, by webhook and by e-mail to Owners and the contact address', async () => {
    await addEndpoint(['token.expiring', 'token.expired']);
    const sa = await createServiceAccount(lk, org, 'expiring', { contactEmail: 'team-payments@acme.test' });
    const expiresAt = new Date(clock.now().getTime() + 40 * 86_400_000).toISOString();
    const { item } = await createToken(lk, org, {
      serviceAccountId: sa.id,
      name: 'nightly-export',
      expiresAt,
    });
    const sweep = async () => {
      await lk.webhooks.notices.sweep();
      await deliver();
    };
    await sweep();
    expect(receiver.received).toHaveLength(0);
    const mailsBefore = mails.length;
    const seen: (number | string)[] = [];
    for (const daysBefore of [30, 7, 1]) {
      clock.set(new Date(Date.parse(expiresAt) - daysBefore * 86_400_000 + 60_000));
      await sweep();
      await sweep(); // a second pass says nothing new
      seen.push(
        ...receiver
          .ofType('token.expiring')
          .slice(seen.length)
          .map((r) => r.event.data.daysLeft),
      );
    }
    expect(seen).toEqual([30, 7, 1]);
    clock.set(new Date(Date.parse(expiresAt) + 60_000));
    await sweep();
    await sweep();
    const expired = receiver.ofType('token.expired');
    expect(expired).toHaveLength(1);
    expect(expired[0]!.event.data).toMatchObject({ token: { id: item.id }, expiredAt: expiresAt });
    const sent = await waitForMailCount(mailsBefore + 8);
    const ours = sent.slice(mailsBefore);
    expect(ours.filter((m) => m.to.includes(org.ownerEmail))).toHaveLength(4);
    expect(ours.filter((m) => m.to.includes('team-payments@acme.test'))).toHaveLength(4);
    const subjects = ours.filter((m) => m.to.includes(org.ownerEmail)).map((m) => subjectOf(m.body));
    expect(subjects, JSON.stringify(subjects)).toEqual([
      expect.stringContaining('expires in 30 days'),
      expect.stringContaining('expires in 7 days'),
      expect.stringContaining('expires in 1 day'),
      expect.stringContaining('has expired'),
    ]);
    await removeAll();
  });

  it('a token created 5 days before its expiry hears "7 days" then "1 day", never "30"', async () => {
    await addEndpoint(['token.expiring']);
    const sa = await createServiceAccount(lk, org, 'short-lived');
    const expiresAt = new Date(clock.now().getTime() + 5 * 86_400_000).toISOString();
    await createToken(lk, org, { serviceAccountId: sa.id, expiresAt });
    await lk.webhooks.notices.sweep();
    await deliver();
    clock.advance(4.5 * 86_400_000);
    await lk.webhooks.notices.sweep();
    await deliver();
    expect(receiver.ofType('token.expiring').map((r) => r.event.data.daysLeft)).toEqual([7, 1]);
    await removeAll();
  });
});

async function waitForMail(match: (m: { body: string }) => boolean, ms = 5000) {
  const until = Date.now() + ms;
  for (;;) {
    const m = mails.find(match);
    if (m) return m;
    if (Date.now() > until) throw new Error('no such e-mail');
    await new Promise((r) => setTimeout(r, 20));
  }
}
async function waitForMailCount(n: number, ms = 5000) {
  const until = Date.now() + ms;
  while (mails.length < n) {
    if (Date.now() > until) throw new Error(`${mails.length} of ${n} e-mails`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return mails;
}

/** A message's Subject as people read it (folded lines joined, RFC 2047 Q-encoded words decoded). */
function subjectOf(raw: string): string {
  const folded = /^Subject: (.*(?:\r?\n[ \t].*)*)/m.exec(raw)![1]!.replace(/\r?\n[ \t]+/g, ' ');
  return folded.replace(/\?=\s+=\?/g, '?==?').replace(/=\?UTF-8\?Q\?(.*?)\?=/gi, (_m, q: string) =>
    Buffer.from(
      q
        .replace(/_/g, ' ')
        .replace(/=([0-9A-F]{2})/gi, (_x, h: string) => String.fromCharCode(parseInt(h, 16))),
      'latin1',
    ).toString('utf8'),
  );
}
