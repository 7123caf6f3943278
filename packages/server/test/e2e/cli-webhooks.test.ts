import { createServer, type IncomingHttpHeaders, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { runCli, startServer, type Server } from '../helpers/process.js';

/**
 * `latchkey webhook …`: the real binary driving a real server (spawned on a temp SQLite file, insecure
 * webhook targets allowed so a receiver on 127.0.0.1 will do), which delivers to a receiver in this test.
 */
let database: TestDatabase;
let server: Server;
let env: Record<string, string>;
let receiver: HttpServer;
let hookUrl: string;
const received: { headers: IncomingHttpHeaders; body: string }[] = [];

const cli = (...args: string[]) => runCli(args, env);
const json = async <T>(...args: string[]): Promise<T> => {
  const r = await cli(...args, '--json');
  expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
  return JSON.parse(r.stdout) as T;
};

async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

interface Endpoint {
  id: string;
  url: string;
  description: string | null;
  eventTypes: string[];
  status: string;
  disabledReason: string | null;
  previousSecretExpiresAt: string | null;
}
interface Delivery {
  id: string;
  eventId: string;
  eventType: string;
  status: string;
  attempts: number;
  lastStatusCode: number | null;
}

beforeAll(async () => {
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks/latchkey`;

  database = await createTestDatabase('file');
  const dbEnv = { DATABASE_URL: database.url, LATCHKEY_WEBHOOKS_ALLOW_INSECURE: 'true' };
  const boot = await runCli(
    ['bootstrap', '--org', 'acme', '--email', 'owner@acme.test', '--password-stdin', '--admin-token'],
    dbEnv,
    'owner password 123',
  );
  expect(boot.code, boot.stderr).toBe(0);
  server = await startServer(dbEnv);
  env = {
    ...dbEnv,
    LATCHKEY_URL: server.url,
    LATCHKEY_TOKEN: JSON.parse(boot.stdout).token,
    LATCHKEY_ORG: 'acme',
  };
});
afterAll(async () => {
  await server?.stop();
  await database?.drop();
  await new Promise((r) => receiver?.close(r));
});

// Each command is a process of its own (about a second each on a small machine): room for a dozen or so.
describe('latchkey webhook', { timeout: 60_000 }, () => {
  let id: string;
  let secret: string;

  it('create prints the signing secret once; list and show never do', async () => {
    const created = await cli('webhook', 'create', hookUrl, '--events', 'all', '--description', 'the SIEM');
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toMatch(/^ID\s+URL\s+STATUS\s+EVENTS/m);
    expect(created.stdout).toContain('all (37)');
    const secrets = created.stdout.match(/whsec_\S+/g) ?? [];
    expect(secrets).toHaveLength(1);
    secret = secrets[0]!;
    expect(created.stdout).toContain(`secret: ${secret}`);
    expect(created.stdout).toMatch(/Store it now: it will not be shown again/);
    id = /^(whe_\w+)\s/m.exec(created.stdout)![1]!;

    const listed = await cli('webhook', 'list');
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toContain(id);
    expect(listed.stdout).not.toContain('whsec_');
    const items = await json<Endpoint[]>('webhook', 'list');
    expect(items).toEqual([
      expect.objectContaining({ id, url: hookUrl, description: 'the SIEM', status: 'enabled' }),
    ]);
    expect(items[0]!.eventTypes).toHaveLength(37);
    expect(JSON.stringify(items)).not.toContain('whsec_');
    const shown = await cli('webhook', 'show', id, '--json');
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).not.toContain('whsec_');

    // --json carries the secret too (once, in the answer to create), for scripts.
    const other = await json<Endpoint & { secret: string }>(
      'webhook',
      'create',
      `${hookUrl}/other`,
      '--events',
      'token.created,token.revoked',
    );
    expect(other.secret).toMatch(/^whsec_/);
    expect(other.eventTypes).toEqual(['token.created', 'token.revoked']);
    expect((await json<Endpoint[]>('webhook', 'list')).map((e) => e.id)).toEqual(
      expect.arrayContaining([id, other.id]),
    );
    expect(await json('webhook', 'delete', other.id)).toEqual({ deleted: other.id });
  });

  it('update: event types, description, disable and enable', async () => {
    const narrowed = await json<Endpoint>('webhook', 'update', id, '--events', 'token.*,member.joined');
    expect(narrowed.eventTypes).toContain('token.created');
    expect(narrowed.eventTypes).toContain('member.joined');
    expect(narrowed.eventTypes.every((t) => t.startsWith('token.') || t === 'member.joined')).toBe(true);
    expect((await json<Endpoint>('webhook', 'update', id, '--description', '')).description).toBeNull();

    const disabled = await cli('webhook', 'update', id, '--disable');
    expect(disabled.code, disabled.stderr).toBe(0);
    expect(disabled.stdout).toContain('disabled (manual)');
    const refused = await cli('webhook', 'test', id);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^error: webhook_endpoint_disabled: /);
    const enabled = await json<Endpoint>('webhook', 'update', id, '--enable');
    expect(enabled).toMatchObject({ status: 'enabled', disabledReason: null });

    // Usage errors (exit 2), before anything is sent.
    const nothing = await cli('webhook', 'update', id);
    expect(nothing.code).toBe(2);
    expect(nothing.stderr).toContain('nothing to change');
    expect((await cli('webhook', 'update', id, '--enable', '--disable')).code).toBe(2);
    const unknown = await cli('webhook', 'update', id, '--events', 'token.created,token.stolen');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('"token.stolen" is not an event type');
  });

  it('test queues a webhook.test event, delivered signed with the printed secret; deliveries, delivery, resend', async () => {
    const queued = await cli('webhook', 'test', id);
    expect(queued.code, queued.stderr).toBe(0);
    expect(queued.stdout).toMatch(/webhook\.test\s+pending/);
    expect(queued.stdout).toContain('queued');
    const deliveryId = /^(whd_\w+)\s/m.exec(queued.stdout)![1]!;

    const page = await json<{ items: Delivery[]; nextCursor: string | null }>('webhook', 'deliveries', id);
    expect(page.items.map((d) => d.id)).toContain(deliveryId);

    // The server sends it; the receiver verifies the signature with the secret `create` printed.
    const hit = await until('the test delivery', async () =>
      received.find((r) => r.body.includes('"webhook.test"')),
    );
    const payload = new Webhook(secret).verify(hit.body, {
      'webhook-id': String(hit.headers['webhook-id']),
      'webhook-timestamp': String(hit.headers['webhook-timestamp']),
      'webhook-signature': String(hit.headers['webhook-signature']),
    }) as { type: string };
    expect(payload.type).toBe('webhook.test');

    const delivered = await until('the delivery to be recorded as delivered', async () => {
      const d = await json<Delivery & { payload: { type: string }; attemptLog: { statusCode: number }[] }>(
        'webhook',
        'delivery',
        id,
        deliveryId,
      );
      return d.status === 'delivered' ? d : undefined;
    });
    expect(delivered.payload.type).toBe('webhook.test');
    expect(delivered.attemptLog.map((a) => a.statusCode)).toEqual([204]);
    const human = await cli('webhook', 'delivery', id, deliveryId);
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toMatch(/^ID\s+EVENT\s+STATUS\s+ATTEMPTS/m);
    expect(human.stdout).toContain('attempts:');
    expect(human.stdout).toContain('"type": "webhook.test"');
    const table = await cli('webhook', 'deliveries', id);
    expect(table.stdout).toMatch(new RegExp(`${deliveryId}\\s+webhook\\.test\\s+delivered\\s+1\\s+204`));

    const resent = await json<Delivery>('webhook', 'resend', id, deliveryId);
    expect(resent).toMatchObject({ id: deliveryId, eventId: delivered.eventId, status: 'pending' });

    // Pages: --limit 1 with more than one delivery says where the next page starts.
    await json('webhook', 'test', id);
    const first = await cli('webhook', 'deliveries', id, '--limit', '1');
    expect(first.code, first.stderr).toBe(0);
    const cursor = /more: add --cursor (whd_\w+)/.exec(first.stdout)?.[1];
    expect(cursor, first.stdout).toBeDefined();
    const second = await json<{ items: Delivery[] }>(
      'webhook',
      'deliveries',
      id,
      '--limit',
      '1',
      '--cursor',
      cursor!,
    );
    expect(second.items).toHaveLength(1);
    expect(first.stdout).not.toContain(second.items[0]!.id);
    expect((await cli('webhook', 'deliveries', id, '--limit', '0')).code).toBe(2);
  });

  it('rotate-secret prints the new secret once; the old one keeps signing for a day', async () => {
    const r = await cli('webhook', 'rotate-secret', id);
    expect(r.code, r.stderr).toBe(0);
    const secrets = r.stdout.match(/whsec_\S+/g) ?? [];
    expect(secrets).toHaveLength(1);
    expect(secrets[0]).not.toBe(secret);
    expect(r.stdout).toContain('will not be shown again');
    expect(r.stdout).toMatch(/signed with the old secret too until 20/);
    expect((await cli('webhook', 'list')).stdout).not.toContain('whsec_');
  });

  it('a bad URL is refused with the reason and exit 1; nothing is created', async () => {
    for (const [url, reason] of [
      ['ftp://hooks.acme.test/x', /must be http:\/\/ or https:\/\//],
      ['not a url', /not an absolute URL/],
      ['https://user:pw@hooks.acme.test/', /user name or password/],
    ] as const) {
      const r = await cli('webhook', 'create', url, '--events', 'all');
      expect(r.code, url).toBe(1);
      expect(r.stderr, url).toMatch(/^error: invalid_webhook_url: The endpoint URL /);
      expect(r.stderr, url).toMatch(reason);
      expect(r.stdout, url).not.toContain('whsec_');
    }
    const update = await cli('webhook', 'update', id, '--endpoint-url', 'gopher://x');
    expect(update.code).toBe(1);
    expect(update.stderr).toMatch(/invalid_webhook_url/);
    // --url is the Latchkey server's address: the endpoint's is the argument, so this is a usage error.
    const mixedUp = await cli('webhook', 'create', '--url', hookUrl, '--events', 'all');
    expect(mixedUp.code).toBe(2);
    expect((await cli('webhook', 'create', hookUrl, '--events', 'everything')).code).toBe(2);
    expect((await cli('webhook', 'create', hookUrl)).code).toBe(2); // --events is required
    expect((await json<Endpoint[]>('webhook', 'list')).map((e) => e.id)).toEqual([id]);
  });

  it('delete removes it: gone from the list, and show answers not_found', async () => {
    expect(await json('webhook', 'delete', id)).toEqual({ deleted: id });
    expect(await json('webhook', 'list')).toEqual([]);
    const gone = await cli('webhook', 'show', id);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toMatch(/^error: not_found: /);
  });

  it('--help on every command, with examples where they take options', async () => {
    for (const sub of [
      'list',
      'create',
      'update',
      'delete',
      'rotate-secret',
      'deliveries',
      'resend',
      'test',
    ]) {
      const r = await cli('webhook', sub, '--help');
      expect(r.code, sub).toBe(0);
      expect(r.stdout, sub).toMatch(/Example/);
    }
    expect((await cli('webhook', 'create', '--help')).stdout).toContain('token.quota_exhausted');
  });
});

describe("a service account's contact address (its tokens' expiry notices)", { timeout: 60_000 }, () => {
  it('is set on create, changed and cleared with sa contact; a bad address is refused', async () => {
    const created = await json<{ contactEmail: string | null }>(
      'sa',
      'create',
      'notify-bot',
      '--contact-email',
      'team-sync@acme.test',
    );
    expect(created.contactEmail).toBe('team-sync@acme.test');
    const table = await cli('sa', 'list');
    expect(table.stdout).toMatch(/notify-bot.*team-sync@acme\.test/);
    const changed = await json<{ contactEmail: string | null }>(
      'sa',
      'contact',
      'notify-bot',
      'ops@acme.test',
    );
    expect(changed.contactEmail).toBe('ops@acme.test');
    expect(
      (await json<{ contactEmail: string | null }>('sa', 'contact', 'notify-bot', 'none')).contactEmail,
    ).toBeNull();
    const bad = await cli('sa', 'contact', 'notify-bot', 'not an address');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/validation_failed/);
  });
});
