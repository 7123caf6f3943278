import { expect, test, type Page } from '@playwright/test';
import { ORG, ownerApi, screenshot, signIn } from './helpers';
import { startLatchkey } from './server';

/**
 * Issue 15 in the console: a token's rate limits and quota set in the Edit dialog, shown on its page with
 * the credits left, which go down as the platform verifies the token.
 */
test.describe.configure({ mode: 'serial' });

let server: Awaited<ReturnType<typeof startLatchkey>>;
let api: Awaited<ReturnType<typeof ownerApi>>;
let page: Page;
let tokenId: string;
let value: string;

test.beforeAll(async ({ browser }) => {
  // Usage is written every second here (not every 10 s), so the usage section fills in quickly.
  server = await startLatchkey((port) => `http://127.0.0.1:${port}`, { LATCHKEY_USAGE_FLUSH_SECONDS: '1' });
  api = await ownerApi(server.url);
  const sa = await api.post<{ id: string }>(`/orgs/${ORG.slug}/service-accounts`, { name: 'billing' });
  const created = await api.post<{ token: string; item: { id: string } }>(`/orgs/${ORG.slug}/tokens`, {
    name: 'metered backend',
    serviceAccountId: sa.id,
    type: 'private',
  });
  tokenId = created.item.id;
  value = created.token;
  page = await browser.newPage();
  await signIn(page, server.url);
});
test.afterAll(async () => {
  await page?.close();
  await api?.ctx.dispose();
  await server?.stop();
});

const verify = async () => {
  const res = await api.ctx.post('/api/v1/verify', { data: { token: value } });
  expect(res.status()).toBe(200);
  return (await res.json()) as { code: string; quota?: { remaining: number } };
};

test('the Edit dialog sets a rate limit and a quota; the token page shows the credits left', async () => {
  await page.goto(`${server.url}/orgs/${ORG.slug}/tokens/${tokenId}`);
  const facts = page.getByRole('table', { name: 'Token details' });
  await expect(facts.getByRole('row', { name: /Rate limits/ })).toContainText('none');
  await page.getByRole('group', { name: 'Token actions' }).getByRole('button', { name: 'Edit' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByRole('button', { name: 'Add rate limit' }).click();
  await dialog.getByRole('textbox', { name: 'Window 1 name' }).fill('minute');
  await dialog.getByRole('textbox', { name: 'Window 1 limit' }).fill('600');
  await dialog.getByRole('combobox', { name: 'Window 1 length' }).click();
  await page.getByRole('option', { name: 'per minute' }).click();
  await dialog.getByRole('switch', { name: 'Quota of credits' }).check();
  await dialog.getByRole('textbox', { name: 'Credits' }).fill('5000');
  await dialog.getByRole('combobox', { name: 'Refill' }).click();
  await page.getByRole('option', { name: 'Every month (UTC)' }).click();
  await screenshot(page, '19-token-limits-edit');
  await dialog.getByRole('button', { name: 'Save' }).click();
  await expect(dialog).toBeHidden();
  await expect(facts.getByRole('row', { name: /Rate limits/ })).toContainText('minute: 600 per minute');
  await expect(facts.getByRole('row', { name: /Quota/ })).toContainText('5,000 of 5,000 credits left');
  await expect(facts.getByRole('row', { name: /Quota/ })).toContainText('refills 5,000 every month');

  for (let i = 0; i < 3; i++) expect((await verify()).code).toBe('valid');
  await page.reload();
  await expect(facts.getByRole('row', { name: /Quota/ })).toContainText('4,997 of 5,000 credits left');
  await screenshot(page, '20-token-limits');
  const token = await api.get<{ rateLimits: unknown[]; quota: { remaining: number } }>(
    `/orgs/${ORG.slug}/tokens/${tokenId}`,
  );
  expect(token.rateLimits).toEqual([{ name: 'minute', limit: 600, windowSeconds: 60 }]);
  expect(token.quota.remaining).toBe(4997);
});

test("a refill above the limit is refused with the server's reason", async () => {
  await page.getByRole('group', { name: 'Token actions' }).getByRole('button', { name: 'Edit' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByRole('textbox', { name: 'Refill amount' }).fill('9000');
  await dialog.getByRole('button', { name: 'Save' }).click();
  await expect(dialog).toContainText("more than the quota's limit");
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(dialog).toBeHidden();
});

test('the usage section charts successes and refusals by code, and lists the addresses seen', async () => {
  const sa = await api.post<{ id: string }>(`/orgs/${ORG.slug}/service-accounts`, { name: 'storefront' });
  const created = await api.post<{ token: string; item: { id: string } }>(`/orgs/${ORG.slug}/tokens`, {
    name: 'storefront api',
    serviceAccountId: sa.id,
    type: 'private',
    rateLimits: [{ name: 'minute', limit: 4, windowSeconds: 60 }],
  });
  const codes = [];
  for (let i = 0; i < 6; i++) {
    const res = await api.ctx.post('/api/v1/verify', { data: { token: created.token, ip: '203.0.113.9' } });
    codes.push(((await res.json()) as { code: string }).code);
  }
  expect(codes).toEqual(['valid', 'valid', 'valid', 'valid', 'rate_limited', 'rate_limited']);
  await page.goto(`${server.url}/orgs/${ORG.slug}/tokens/${created.item.id}`);
  const usage = page.getByRole('region', { name: 'Usage' });
  // The counts arrive with the next usage flush (every second here): reload until they do.
  await expect(async () => {
    await page.reload();
    await expect(usage).toContainText('4 valid');
  }).toPass({ timeout: 15_000 });
  await expect(usage).toContainText('2 rate_limited');
  await expect(usage.getByRole('application')).toBeVisible();
  await expect(usage.locator('.recharts-bar-rectangle').last()).toBeVisible();
  await expect(usage.getByRole('table', { name: 'Addresses' })).toContainText('203.0.113.9');
  await usage.scrollIntoViewIfNeeded();
  await screenshot(page, '21-token-usage');
});

test("a service account's rate limits apply to its tokens without their own", async () => {
  await page.goto(`${server.url}/orgs/${ORG.slug}/members`);
  await page.getByRole('tab', { name: 'Service Accounts' }).click();
  await page.getByRole('button', { name: 'Actions for billing' }).click();
  await page.getByRole('menuitem', { name: 'Rate limits' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByRole('button', { name: 'Add rate limit' }).click();
  await dialog.getByRole('textbox', { name: 'Window 1 name' }).fill('hour');
  await dialog.getByRole('textbox', { name: 'Window 1 limit' }).fill('1000');
  await dialog.getByRole('combobox', { name: 'Window 1 length' }).click();
  await page.getByRole('option', { name: 'per hour' }).click();
  await dialog.getByRole('button', { name: 'Save' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByTestId('sa-row-billing')).toContainText('tokens limited: hour: 1,000 per hour');

  const sa = (
    await api.get<{ items: { id: string; name: string }[] }>(`/orgs/${ORG.slug}/service-accounts`)
  ).items.find((s) => s.name === 'billing')!;
  const created = await api.post<{ item: { id: string } }>(`/orgs/${ORG.slug}/tokens`, {
    name: 'inherits limits',
    serviceAccountId: sa.id,
    type: 'private',
  });
  await page.goto(`${server.url}/orgs/${ORG.slug}/tokens/${created.item.id}`);
  await expect(
    page.getByRole('table', { name: 'Token details' }).getByRole('row', { name: /Rate limits/ }),
  ).toContainText('hour: 1,000 per hour (from its service account)');
});
