import { expect, test, type Page } from '@playwright/test';
import { ORG, ownerApi, screenshot, signIn } from './helpers';
import { startLatchkey } from './server';

/**
 * Issue 15 in the console: a legacy site's public token put under its allowlists in report-only mode,
 * what enforcing would refuse shown on the token page, the missing origin added in one click, then
 * enforced in one more; and the IP allowlist set in the Edit dialog.
 */
test.describe.configure({ mode: 'serial' });

let server: Awaited<ReturnType<typeof startLatchkey>>;
let api: Awaited<ReturnType<typeof ownerApi>>;
let page: Page;
let tokenId: string;
let value: string;

test.beforeAll(async ({ browser }) => {
  // Usage (and what report-only counts) is written every second here, not every 10 s.
  server = await startLatchkey((port) => `http://127.0.0.1:${port}`, { LATCHKEY_USAGE_FLUSH_SECONDS: '1' });
  api = await ownerApi(server.url);
  const sa = await api.post<{ id: string }>(`/orgs/${ORG.slug}/service-accounts`, { name: 'old-shop' });
  const created = await api.post<{ token: string; item: { id: string } }>(`/orgs/${ORG.slug}/tokens`, {
    name: 'old shop widget',
    serviceAccountId: sa.id,
    type: 'public',
    domains: ['https://shop.example.com'],
    enforcement: 'report_only',
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

async function verify(origin: string): Promise<{ code: string; warnings?: string[] }> {
  const res = await api.ctx.post('/api/v1/verify', { data: { token: value, origin } });
  expect(res.status()).toBe(200);
  return (await res.json()) as { code: string; warnings?: string[] };
}

test('report-only: what enforcing would refuse is listed; add the origin, then enforce', async () => {
  for (let i = 0; i < 3; i++)
    expect(await verify('https://old-shop.example')).toEqual(
      expect.objectContaining({ code: 'valid', warnings: ['origin_not_allowed'] }),
    );
  // The Tokens list marks it, so an admin scanning the list sees which allowlists refuse nothing yet.
  await page.goto(`${server.url}/orgs/${ORG.slug}/tokens`);
  await expect(page.getByTestId('token-row-old shop widget').getByTestId('token-report-only')).toBeVisible();
  await page.goto(`${server.url}/orgs/${ORG.slug}/tokens/${tokenId}`);
  const panel = page.getByRole('region', { name: 'Report-only' });
  // The counts arrive with the next usage flush (every second here): reload until they do.
  await expect(async () => {
    await page.reload();
    await expect(panel.getByRole('row', { name: /https:\/\/old-shop\.example/ })).toContainText('3');
  }).toPass({ timeout: 15_000 });
  await expect(panel).toContainText('Enforcing would have refused 3 requests in the last 7 days');
  await screenshot(page, '18-report-only');
  await panel.getByRole('button', { name: 'Add to allowlist' }).click();
  await expect(page.getByRole('table', { name: 'Token details' })).toContainText(
    'https://shop.example.com, https://old-shop.example',
  );
  await panel.getByRole('button', { name: 'Enforce now' }).click();
  await expect(panel).toBeHidden();
  await expect(page.getByRole('table', { name: 'Token details' })).toContainText('enforced');
  // Enforced, with the origin added: the old shop keeps working, another origin is refused.
  expect((await verify('https://old-shop.example')).code).toBe('valid');
  expect((await verify('https://elsewhere.example')).code).toBe('origin_not_allowed');
});

test("the Edit dialog sets the IP allowlist; the server's refusal names the entry", async () => {
  await page.getByRole('group', { name: 'Token actions' }).getByRole('button', { name: 'Edit' }).click();
  const dialog = page.getByRole('dialog');
  const ips = dialog.getByRole('combobox', { name: 'IP allowlist' });
  await ips.fill('203.0.113.7/24');
  await ips.press('Enter');
  await dialog.getByRole('button', { name: 'Save' }).click();
  await expect(dialog).toContainText('did you mean 203.0.113.0/24?');
  // The entry is a tag: Backspace in the empty field takes the last one off.
  await ips.click();
  await page.keyboard.press('Backspace');
  await ips.fill('203.0.113.0/24');
  await ips.press('Enter');
  await dialog.getByRole('button', { name: 'Save' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByRole('table', { name: 'Token details' })).toContainText('203.0.113.0/24');
  const token = await api.get<{ allowedIps: string[] }>(`/orgs/${ORG.slug}/tokens/${tokenId}`);
  expect(token.allowedIps).toEqual(['203.0.113.0/24']);
});
