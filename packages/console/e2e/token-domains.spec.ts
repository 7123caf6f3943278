import { expect, test, type Page } from '@playwright/test';
import { ORG, ownerApi, screenshot, signIn, pageAction } from './helpers';
import { startLatchkey } from './server';

/**
 * A public token's domains (issue 17 item 7): each entry becomes a chip showing the origin the server
 * will store as soon as it is entered; paths and wildcards are refused with the reason, and the text stays
 * in the field to be corrected; plain http beyond this machine is kept with a warning.
 */
test.describe.configure({ mode: 'serial' });

let server: Awaited<ReturnType<typeof startLatchkey>>;
let page: Page;
test.beforeAll(async ({ browser }) => {
  server = await startLatchkey((port) => `http://127.0.0.1:${port}`);
  const api = await ownerApi(server.url);
  await api.post(`/orgs/${ORG.slug}/service-accounts`, { name: 'storefront' });
  await api.ctx.dispose();
  page = await browser.newPage();
  await signIn(page, server.url);
});
test.afterAll(async () => {
  await page?.close();
  await server?.stop();
});

test('domains become origin chips as they are typed; paths and wildcards are refused inline', async () => {
  await page.goto(`${server.url}/orgs/${ORG.slug}/tokens`);
  await pageAction(page, 'Add Token').click();
  const form = page.getByRole('dialog', { name: 'Add Token' });
  await form.getByRole('textbox', { name: 'Name', exact: true }).fill('widget');
  await form.getByRole('combobox', { name: 'Service account' }).click();
  await page.getByRole('option', { name: 'storefront' }).click();
  await form.getByText('Public', { exact: true }).click();
  const field = form.getByPlaceholder('https://shop.example.com — press Enter after each');
  // A chip is the origin's text on its own (the messages quote origins inside sentences).
  const chip = (origin: string) => form.getByText(origin, { exact: true });

  // Scheme added, case folded, the trailing slash and the default port dropped.
  await field.fill('Shop.Example.COM:443/');
  await field.press('Enter');
  await expect(chip('https://shop.example.com')).toBeVisible();
  await expect(field).toHaveValue('');

  // A path: refused, with the origin to enter; what was typed stays in the field.
  await field.fill('https://shop.example.com/checkout');
  await field.press('Enter');
  await expect(form).toContainText('A domain is an origin only, without a path: "/checkout"');
  await expect(form).toContainText('Enter https://shop.example.com.');
  await expect(field).toHaveValue('https://shop.example.com/checkout');
  await field.fill('*.example.com');
  await field.press('Enter');
  await expect(form).toContainText('Wildcards are not supported: list every subdomain explicitly');
  await expect(form).not.toContainText('without a path');
  await expect(field).toHaveValue('*.example.com');

  // Plain http on a public host: kept, with a warning; on localhost, no warning.
  await field.fill('http://legacy.example.com');
  await field.press('Enter');
  await field.fill('http://localhost:3000');
  await field.press('Enter');
  await expect(chip('http://legacy.example.com')).toBeVisible();
  await expect(chip('http://localhost:3000')).toBeVisible();
  await expect(form.getByTestId('domain-warnings')).toContainText('http://legacy.example.com is plain http');
  await expect(form.getByTestId('domain-warnings')).not.toContainText('localhost');
  await expect(form).not.toContainText('list every subdomain explicitly');
  await screenshot(page, '25-domain-chips');

  await form.getByRole('button', { name: 'Create token' }).click();
  const reveal = page.getByRole('dialog', { name: 'Your new token' });
  const value = (await reveal.getByTestId('revealed-token').textContent())!;
  expect(value).toMatch(/^lk_pub_/);
  await reveal.getByRole('button', { name: 'Done' }).click(); // a public value: no "did you copy it?"
  await expect(reveal).toBeHidden();
  const row = page.getByTestId('token-row-widget');
  for (const origin of ['https://shop.example.com', 'http://legacy.example.com', 'http://localhost:3000'])
    await expect(row).toContainText(origin);
  await expect(row).not.toContainText('checkout');

  // A public value can be viewed and copied again from the list (item 6).
  await page.getByRole('button', { name: 'Actions for widget' }).click();
  await page.getByRole('menuitem', { name: 'Show value' }).click();
  const again = page.getByRole('dialog', { name: 'Public token widget' });
  await expect(again.getByTestId('revealed-token')).toHaveText(value);
  await expect(again.getByRole('button', { name: 'Copy token' })).toBeVisible();
  await again.getByRole('button', { name: 'Done' }).click();
  await expect(again).toBeHidden();
});
