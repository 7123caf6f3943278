import { expect, test } from '@playwright/test';
import { addMember, ORG, ownerApi, screenshot, signIn } from './helpers';
import { startLatchkey } from './server';

/**
 * The org settings page (issue 17 item 12): name and maximum token lifetime, changed by whoever holds
 * org_settings:edit, read by everyone else with the reason the change is not theirs to make.
 */
test.describe.configure({ mode: 'serial' });

const VIC = { email: 'vic@acme.test', password: 'a viewer password, long enough', name: 'Vic' };
let server: Awaited<ReturnType<typeof startLatchkey>>;
test.beforeAll(async () => {
  server = await startLatchkey((port) => `http://127.0.0.1:${port}`);
  const api = await ownerApi(server.url);
  await addMember(api, server.url, VIC, 'Viewer');
  await api.ctx.dispose();
});
test.afterAll(async () => {
  await server?.stop();
});

test('an owner renames the org and sets a maximum token lifetime; bad values are refused inline', async ({
  page,
}) => {
  await signIn(page, server.url);
  await page.getByRole('link', { name: 'Organization', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Organization settings', level: 1 })).toBeVisible();
  const name = page.getByRole('textbox', { name: 'Name' });
  const lifetime = page.getByRole('textbox', { name: 'Maximum token lifetime (days)' });
  const save = page.getByRole('button', { name: 'Save changes' });
  const api = await ownerApi(server.url);
  const before = await api.get<{ name: string }>(`/orgs/${ORG.slug}`);
  await expect(name).toHaveValue(before.name);
  await expect(page.getByRole('textbox', { name: 'Slug' })).toHaveValue(ORG.slug);
  await expect(save).toBeDisabled(); // nothing changed yet

  await lifetime.fill('0');
  await expect(page.getByText('A whole number of days from 1 to 3650')).toBeVisible();
  await expect(save).toBeDisabled();
  await name.fill('Acme\u202Etxt');
  await expect(page.getByText(/text-direction/)).toBeVisible();

  await name.fill('Acme Retail');
  await lifetime.fill('90');
  await expect(save).toBeEnabled();
  await save.click();
  await expect(page.getByRole('alert').filter({ hasText: 'Settings saved' })).toBeVisible();
  await expect(page.getByRole('banner')).toContainText('Acme Retail');
  await screenshot(page, '26-org-settings');

  // What the page shows is what the server keeps.
  await page.reload();
  await expect(name).toHaveValue('Acme Retail');
  await expect(lifetime).toHaveValue('90');
  expect(
    await api.get<{ name: string; maxTokenLifetimeDays: number | null }>(`/orgs/${ORG.slug}`),
  ).toMatchObject({
    name: 'Acme Retail',
    maxTokenLifetimeDays: 90,
  });

  // Emptying the field removes the limit.
  await lifetime.fill('');
  await save.click();
  await expect(save).toBeDisabled();
  expect(
    (await api.get<{ maxTokenLifetimeDays: number | null }>(`/orgs/${ORG.slug}`)).maxTokenLifetimeDays,
  ).toBeNull();
  await api.ctx.dispose();
});

test('a Viewer reads the settings; the save button says which permission it needs', async ({ browser }) => {
  const page = await browser.newPage();
  await page.goto(`${server.url}/login`);
  await page.getByRole('textbox', { name: 'Email', exact: true }).fill(VIC.email);
  await page.getByRole('textbox', { name: 'Password', exact: true }).fill(VIC.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('link', { name: 'Organization', exact: true }).click();
  await expect(page.getByRole('textbox', { name: 'Name' })).toHaveValue('Acme Retail');
  await expect(page.getByRole('textbox', { name: 'Name' })).toHaveAttribute('readonly', '');
  const save = page.getByRole('button', { name: 'Save changes' });
  await expect(save).toBeDisabled();
  await save.locator('..').hover();
  await expect(page.getByRole('tooltip')).toHaveText('Needs the org_settings:edit permission');
  await page.close();
});
