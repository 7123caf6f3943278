import { expect, test, type Locator, type Page } from '@playwright/test';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { addMember, ORG, ownerApi, pageAction, screenshot, signIn } from './helpers';
import { startLatchkey } from './server';

/**
 * Settings → Webhooks: endpoints added, tested, edited, disabled, rotated and deleted in the console, and
 * delivered for real — to a receiver this test runs (node:http on 127.0.0.1), which checks each delivery's
 * Standard Webhooks signature with the secret the console showed once. On a server of its own that may send
 * to http:// and loopback addresses (LATCHKEY_WEBHOOKS_ALLOW_INSECURE). Serial: each step continues with
 * what the one before left.
 */
test.describe.configure({ mode: 'serial' });

interface Received {
  headers: Record<string, string>;
  body: string;
}
const WEBHOOK_HEADERS = ['webhook-id', 'webhook-timestamp', 'webhook-signature'] as const;
const VIEWER = { email: 'vera@acme.test', password: 'a viewer password, long enough', name: 'Vera' };

let receiver: Server;
/** Every request the receiver got, in order. */
const received: Received[] = [];
/** The status the receiver answers with (a failing receiver answers 503). */
let answer = 200;
let hookUrl: string;
let server: Awaited<ReturnType<typeof startLatchkey>>;
let api: Awaited<ReturnType<typeof ownerApi>>;
let page: Page;
/** The signing secret the console showed when the endpoint was added (then the rotated one). */
let secret: string;
let previousSecret: string;

test.beforeAll(async ({ browser }) => {
  receiver = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      const headers: Record<string, string> = {};
      for (const h of WEBHOOK_HEADERS) if (typeof req.headers[h] === 'string') headers[h] = req.headers[h];
      received.push({ headers, body });
      res.writeHead(answer, { 'content-type': 'text/plain' }).end(answer === 200 ? 'ok' : 'unavailable');
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks/latchkey`;
  server = await startLatchkey((port) => `http://127.0.0.1:${port}`, {
    LATCHKEY_WEBHOOKS_ALLOW_INSECURE: 'true',
  });
  api = await ownerApi(server.url);
  page = await browser.newPage();
  await signIn(page, server.url);
});
test.afterAll(async () => {
  await page?.close();
  await api?.ctx.dispose();
  await server?.stop();
  await new Promise((r) => receiver?.close(r));
});

const endpointRow = () => page.getByTestId(`endpoint-row-${hookUrl}`);
const log = () => page.getByRole('dialog', { name: 'Delivery log' });
/** The delivery log's rows, newest first. */
const deliveryRows = () => log().getByTestId(/^delivery-whd_/);
async function rowAction(name: string): Promise<void> {
  await endpointRow()
    .getByRole('button', { name: `Actions for ${hookUrl}` })
    .click();
  await page.getByRole('menuitem', { name }).click();
}
/** The test events the receiver got, each with its parsed body. */
const testEvents = () =>
  received
    .map((r) => ({ ...r, event: JSON.parse(r.body) as { id: string; type: string; org: { slug: string } } }))
    .filter((r) => r.event.type === 'webhook.test');
/** Waits, refreshing the log, until its newest delivery shows `text`. */
async function newestDeliveryShows(text: string): Promise<void> {
  await expect(async () => {
    await log().getByRole('button', { name: 'Refresh' }).click();
    await expect(deliveryRows().first()).toContainText(text, { timeout: 1000 });
  }).toPass({ timeout: 30_000 });
}
const endpoints = async () =>
  (
    await api.get<{ items: { id: string; eventTypes: string[]; description: string | null }[] }>(
      `/orgs/${ORG.slug}/webhook-endpoints`,
    )
  ).items;

test('an empty page offers Add endpoint; the dialog checks the URL and events, the server has the last word', async () => {
  // The link of the server's "endpoint disabled" e-mail.
  await page.goto(`${server.url}/orgs/${ORG.slug}/webhooks`);
  await expect(page.getByRole('heading', { name: 'Webhooks' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Webhooks' })).toHaveAttribute('aria-current', 'page');
  const empty = page.getByTestId('empty-state');
  await expect(empty).toContainText('No webhook endpoints yet');
  await empty.getByRole('button', { name: 'Add endpoint' }).click();

  const dialog = page.getByRole('dialog', { name: 'Add endpoint' });
  await dialog.getByRole('button', { name: 'Add endpoint' }).click();
  await expect(dialog).toContainText('A URL is required.');
  await expect(dialog).toContainText('Choose at least one event.');
  await dialog.getByRole('textbox', { name: 'URL' }).fill('hooks.example.com');
  await expect(dialog).toContainText('Enter the whole URL');

  // The events, by group: "Select all in group", then one left out; one of another group.
  const tokens = dialog.getByRole('group', { name: 'Tokens', exact: true });
  const allTokens = tokens.getByRole('checkbox', { name: 'Select all in group' });
  await allTokens.check();
  await expect(tokens.getByRole('checkbox', { name: 'token.expiring' })).toBeChecked();
  await expect(tokens).toContainText('17 of 17');
  await tokens.getByRole('checkbox', { name: 'token.imported' }).uncheck();
  await expect(tokens).toContainText('16 of 17');
  await expect(allTokens).toBeChecked({ indeterminate: true });
  const members = dialog.getByRole('group', { name: 'Members', exact: true });
  await members.getByRole('checkbox', { name: 'member.joined' }).check();
  await expect(members.getByRole('checkbox', { name: 'Select all in group' })).toBeChecked({
    indeterminate: true,
  });
  await expect(dialog).toContainText('17 events chosen');
  await expect(dialog).not.toContainText('Choose at least one event.');

  // Link-local addresses are refused even where internal ones are allowed: the server says why.
  await dialog.getByRole('textbox', { name: 'URL' }).fill('http://169.254.169.254/latest');
  await dialog.getByRole('button', { name: 'Add endpoint' }).click();
  await expect(dialog.getByRole('alert')).toContainText('link-local');

  await dialog.getByRole('textbox', { name: 'URL' }).fill(hookUrl);
  await dialog.getByRole('textbox', { name: 'Description' }).fill('Staging receiver');
  await dialog.getByRole('button', { name: 'Add endpoint' }).click();
  await expect(dialog).toBeHidden();

  // The signing secret, once.
  const reveal = page.getByRole('dialog', { name: 'Signing secret' });
  await expect(reveal).toContainText('Store it now');
  await expect(reveal).toContainText('This secret will not be shown again');
  await expect(reveal.getByRole('button', { name: 'Copy secret' })).toBeVisible();
  secret = (await reveal.getByTestId('revealed-secret').textContent())!;
  expect(secret).toMatch(/^whsec_[A-Za-z0-9+/=]{40,}$/);
  await reveal.getByRole('button', { name: 'Done' }).click();
  await expect(reveal).toBeHidden();
  expect(await page.content()).not.toContain(secret);

  await expect(endpointRow()).toContainText('Staging receiver');
  await expect(endpointRow().getByTestId('endpoint-events')).toHaveText('17 events');
  await expect(endpointRow().getByTestId('endpoint-status')).toHaveText('enabled');
  const [saved] = await endpoints();
  expect(saved!.eventTypes).toHaveLength(17);
  expect(saved!.eventTypes).toContain('member.joined');
  expect(saved!.eventTypes).not.toContain('token.imported');
});

test('send test event: delivered to the receiver, whose signature check passes with the secret shown', async () => {
  await rowAction('Send test event');
  await expect(log()).toBeVisible();
  await expect(log().getByTestId('delivery-log-url')).toHaveText(hookUrl);
  // The server's dispatcher sends within a second or two; Refresh (and the log itself) picks it up.
  await newestDeliveryShows('delivered');
  const newest = deliveryRows().first();
  await expect(newest).toContainText('webhook.test');
  await expect(newest.getByTestId('last-status-code')).toHaveText('200');

  const hits = testEvents();
  expect(hits).toHaveLength(1);
  const hit = hits[0]!;
  for (const h of WEBHOOK_HEADERS) expect(hit.headers[h], h).toBeTruthy();
  expect(hit.headers['webhook-id']).toBe(hit.event.id);
  const verified = new Webhook(secret).verify(hit.body, hit.headers) as {
    type: string;
    org: { slug: string };
  };
  expect(verified.type).toBe('webhook.test');
  expect(verified.org.slug).toBe(ORG.slug);
  // Not with any other secret.
  expect(() =>
    new Webhook(`whsec_${Buffer.alloc(32, 7).toString('base64')}`).verify(hit.body, hit.headers),
  ).toThrow();

  // Its details: each attempt with its status code and latency, and the body sent.
  await newest.getByRole('button', { name: 'Details' }).click();
  const details = log().getByTestId('delivery-details');
  await expect(details).toContainText(hit.headers['webhook-id']!);
  const attempts = details.getByRole('table', { name: 'Attempts' }).locator('tbody tr');
  await expect(attempts).toHaveCount(1);
  await expect(attempts.first()).toContainText('200');
  await expect(attempts.first()).toContainText(/\d+ ms/);
  await expect(details).toContainText('A test event from Latchkey');
  await page.mouse.move(0, 0);
  await screenshot(page, '22-webhooks');
});

test('a failing receiver: the log shows its status code and the retry; Re-send sends the same event again', async () => {
  answer = 503;
  await log().getByRole('button', { name: 'Send test event' }).click();
  await newestDeliveryShows('503');
  const newest = deliveryRows().first();
  await expect(newest).toContainText('pending');
  const failedId = testEvents().at(-1)!.headers['webhook-id'];

  answer = 200;
  await newest.getByRole('button', { name: 'Re-send' }).click();
  await newestDeliveryShows('delivered');
  const sameEvent = testEvents().filter((r) => r.headers['webhook-id'] === failedId);
  expect(sameEvent.length).toBeGreaterThanOrEqual(2);
  expect(new Webhook(secret).verify(sameEvent.at(-1)!.body, sameEvent.at(-1)!.headers)).toBeTruthy();
  await newest.getByRole('button', { name: 'Details' }).click();
  const attempts = log().getByTestId('delivery-details').getByRole('table', { name: 'Attempts' });
  await expect(attempts.locator('tbody tr').first()).toContainText('503');
  await expect(attempts.locator('tbody tr').last()).toContainText('200');
  await page.keyboard.press('Escape');
  await expect(log()).toBeHidden();
});

test('rotate secret shows the new one once; both sign until the old one retires', async () => {
  previousSecret = secret;
  await rowAction('Rotate secret');
  const confirm = page.getByRole('dialog', { name: 'Rotate the signing secret?' });
  await expect(confirm).toContainText('24 hours');
  await confirm.getByRole('button', { name: 'Rotate secret' }).click();
  const reveal = page.getByRole('dialog', { name: 'New signing secret' });
  await expect(reveal).toContainText('Store it now');
  await expect(reveal.getByTestId('previous-secret-note')).toContainText('The previous secret also signs');
  secret = (await reveal.getByTestId('revealed-secret').textContent())!;
  expect(secret).toMatch(/^whsec_/);
  expect(secret).not.toBe(previousSecret);
  await reveal.getByRole('button', { name: 'Done' }).click();
  await expect(confirm).toBeHidden();
  await expect(endpointRow().getByTestId('previous-secret')).toContainText(
    'Previous secret also signs until',
  );

  const before = testEvents().length;
  await rowAction('Send test event');
  await newestDeliveryShows('delivered');
  expect(testEvents()).toHaveLength(before + 1);
  const hit = testEvents().at(-1)!;
  expect(hit.headers['webhook-signature']!.split(' ')).toHaveLength(2);
  expect(new Webhook(secret).verify(hit.body, hit.headers)).toBeTruthy();
  expect(new Webhook(previousSecret).verify(hit.body, hit.headers)).toBeTruthy();
  await page.keyboard.press('Escape');
  await expect(log()).toBeHidden();
});

test('edit changes the description and the events, group by group', async () => {
  await rowAction('Edit');
  const dialog = page.getByRole('dialog', { name: 'Edit endpoint' });
  await expect(dialog.getByRole('textbox', { name: 'URL' })).toHaveValue(hookUrl);
  await dialog.getByRole('textbox', { name: 'Description' }).fill('Staging receiver (audit copy)');
  const allTokens = dialog
    .getByRole('group', { name: 'Tokens', exact: true })
    .getByRole('checkbox', { name: 'Select all in group' });
  await allTokens.check(); // 16 of 17 → all
  await allTokens.uncheck(); // → none
  await dialog
    .getByRole('group', { name: 'Roles', exact: true })
    .getByRole('checkbox', { name: 'Select all in group' })
    .check();
  await expect(dialog).toContainText('4 events chosen');
  await dialog.getByRole('button', { name: 'Save' }).click();
  await expect(dialog).toBeHidden();
  await expect(endpointRow()).toContainText('Staging receiver (audit copy)');
  await expect(endpointRow().getByTestId('endpoint-events')).toHaveText('4 events');
  const [saved] = await endpoints();
  expect(saved!.eventTypes).toEqual(['member.joined', 'role.created', 'role.deleted', 'role.updated']);
  expect(saved!.description).toBe('Staging receiver (audit copy)');
});

test('disable asks first and stops test events; enable needs no confirmation', async () => {
  await rowAction('Disable');
  const confirm = page.getByRole('dialog', { name: 'Disable this endpoint?' });
  await confirm.getByRole('button', { name: 'Disable' }).click();
  await expect(confirm).toBeHidden();
  await expect(endpointRow().getByTestId('endpoint-status')).toHaveText('disabled');
  await endpointRow()
    .getByRole('button', { name: `Actions for ${hookUrl}` })
    .click();
  await expect(page.getByRole('menuitem', { name: 'Send test event' })).toBeDisabled();
  await page.getByRole('menuitem', { name: 'Enable' }).click();
  await expect(endpointRow().getByTestId('endpoint-status')).toHaveText('enabled');
});

test('a viewer sees the endpoints and their delivery logs, without the changes', async ({ browser }) => {
  await addMember(api, server.url, VIEWER, 'Viewer');

  const ctx = await browser.newContext();
  const viewer = await ctx.newPage();
  await viewer.goto(`${server.url}/login`);
  await viewer.getByRole('textbox', { name: 'Email', exact: true }).fill(VIEWER.email);
  await viewer.getByRole('textbox', { name: 'Password', exact: true }).fill(VIEWER.password);
  await viewer.getByRole('button', { name: 'Sign in' }).click();
  await viewer.getByRole('link', { name: 'Webhooks' }).click();
  await expect(viewer.getByRole('heading', { name: 'Webhooks' })).toBeVisible();
  const row = viewer.getByTestId(`endpoint-row-${hookUrl}`);
  await expect(row).toContainText('4 events');
  // In its place, disabled, saying which permission it needs (role-aware.spec.ts checks the tooltip).
  await expect(pageAction(viewer, 'Add endpoint')).toBeDisabled();
  await expect(pageAction(viewer, 'Add endpoint')).toHaveAccessibleDescription(
    'Needs the webhook_endpoints:edit permission',
  );
  await row.getByRole('button', { name: `Actions for ${hookUrl}` }).click();
  await expect(viewer.getByRole('menuitem')).toHaveText(['Delivery log']);
  await viewer.getByRole('menuitem', { name: 'Delivery log' }).click();
  const viewerLog = viewer.getByRole('dialog', { name: 'Delivery log' });
  await expect(viewerLog.getByTestId(/^delivery-whd_/).first()).toContainText('delivered');
  await expect(viewerLog.getByRole('button', { name: 'Re-send' })).toHaveCount(0);
  await expect(viewerLog.getByRole('button', { name: 'Send test event' })).toHaveCount(0);
  await ctx.close();
});

test('the page fits a narrow (390 px) screen without scrolling sideways', async ({ browser }) => {
  const ctx = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const narrow = await ctx.newPage();
  await signIn(narrow, server.url);
  await narrow.getByRole('button', { name: 'Menu' }).click();
  await narrow.getByRole('link', { name: 'Webhooks' }).click();
  await expect(narrow.getByRole('heading', { name: 'Webhooks' })).toBeInViewport({ ratio: 1 });
  await expect(narrow.getByRole('button', { name: 'Add endpoint' })).toBeInViewport({ ratio: 1 });
  const overflows = (p: Page) =>
    p.evaluate(() => document.documentElement.scrollWidth > document.documentElement.clientWidth);
  expect(await overflows(narrow)).toBe(false);
  // Nor with the delivery log open.
  await narrow.getByTestId(`endpoint-row-${hookUrl}`).getByRole('button', { name: 'Delivery log' }).click();
  await expect(narrow.getByRole('dialog', { name: 'Delivery log' })).toBeVisible();
  expect(await overflows(narrow)).toBe(false);
  await ctx.close();
});

test('delete asks first; the endpoint goes and the empty page is back', async () => {
  await rowAction('Delete');
  const confirm = page.getByRole('dialog', { name: 'Delete this endpoint?' });
  await expect(confirm).toContainText('cannot be undone');
  await confirmIn(confirm, 'Delete');
  await expect(endpointRow()).toHaveCount(0);
  await expect(page.getByTestId('empty-state').getByRole('button', { name: 'Add endpoint' })).toBeVisible();
  expect(await endpoints()).toEqual([]);
});

async function confirmIn(dialog: Locator, button: string): Promise<void> {
  await dialog.getByRole('button', { name: button }).click();
  await expect(dialog).toBeHidden();
}

test("a service account's contact e-mail, where its tokens' expiry notices go, is set from its row menu", async () => {
  await api.post(`/orgs/${ORG.slug}/service-accounts`, { name: 'nightly-export' });
  await page.goto(`${server.url}/orgs/${ORG.slug}/members`);
  await page.getByRole('tab', { name: 'Service Accounts' }).click();
  await page.getByRole('button', { name: 'Actions for nightly-export' }).click();
  await page.getByRole('menuitem', { name: 'Contact e-mail' }).click();
  const dialog = page.getByRole('dialog');
  await expect(dialog).toContainText("Its tokens' expiry notices");
  await dialog.getByRole('textbox', { name: 'Contact e-mail' }).fill('data-team@acme.test');
  await dialog.getByRole('button', { name: 'Save' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByTestId('sa-row-nightly-export')).toContainText('contact: data-team@acme.test');
  const stored = (
    await api.get<{ items: { name: string; contactEmail: string | null }[] }>(
      `/orgs/${ORG.slug}/service-accounts`,
    )
  ).items.find((s) => s.name === 'nightly-export');
  expect(stored?.contactEmail).toBe('data-team@acme.test');
  // A bad address is the server's refusal, shown in the dialog; nothing changes.
  await page.getByRole('button', { name: 'Actions for nightly-export' }).click();
  await page.getByRole('menuitem', { name: 'Contact e-mail' }).click();
  await dialog.getByRole('textbox', { name: 'Contact e-mail' }).fill('not an address');
  await dialog.getByRole('button', { name: 'Save' }).click();
  await expect(dialog.getByRole('alert')).toBeVisible();
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(page.getByTestId('sa-row-nightly-export')).toContainText('contact: data-team@acme.test');
});
