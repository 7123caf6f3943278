import { expect, test } from '@playwright/test';
import { ORG, ownerApi, signIn } from './helpers';
import { startLatchkey } from './server';

/**
 * The Tokens table (issue 17 item 5): sortable columns kept in the URL, the total the filters match, and
 * "select all N matching" across pages, changed in one request.
 */
test.describe.configure({ mode: 'serial' });

const LEGACY = 57; // more than one page of 50
let server: Awaited<ReturnType<typeof startLatchkey>>;
test.beforeAll(async () => {
  server = await startLatchkey((port) => `http://127.0.0.1:${port}`);
  const api = await ownerApi(server.url);
  const batch = await api.post<{ id: string }>(`/orgs/${ORG.slug}/service-accounts`, { name: 'batch' });
  const other = await api.post<{ id: string }>(`/orgs/${ORG.slug}/service-accounts`, { name: 'other' });
  for (let i = 0; i < LEGACY; i++)
    await api.post(`/orgs/${ORG.slug}/tokens`, {
      name: `job-${String(i).padStart(2, '0')}`,
      type: 'private',
      serviceAccountId: batch.id,
    });
  await api.post(`/orgs/${ORG.slug}/tokens`, {
    name: 'aardvark',
    type: 'private',
    serviceAccountId: other.id,
  });
  await api.ctx.dispose();
});
test.afterAll(async () => {
  await server?.stop();
});

test('columns sort (in the URL, kept on reload) and the total is shown', async ({ page }) => {
  await signIn(page, server.url);
  await page.goto(`${server.url}/orgs/${ORG.slug}/tokens`);
  const table = page.getByRole('table', { name: 'Tokens' });
  const firstName = () => table.getByRole('row').nth(1).getByRole('link').first();
  await expect(page.getByTestId('token-total')).toHaveText(`${LEGACY + 1} tokens`);
  await expect(firstName()).toHaveText('aardvark'); // newest first

  await page.getByRole('button', { name: 'Sort by Name' }).click();
  await expect(page).toHaveURL(/sort=name_asc/);
  await expect(firstName()).toHaveText('aardvark');
  await expect(page.getByRole('columnheader', { name: /Name/ })).toHaveAttribute('aria-sort', 'ascending');
  await page.getByRole('button', { name: 'Sort by Name' }).click();
  await expect(page).toHaveURL(/sort=name_desc/);
  await expect(firstName()).toHaveText(`job-${LEGACY - 1}`);
  await page.reload();
  await expect(firstName()).toHaveText(`job-${LEGACY - 1}`);
  await expect(page.getByRole('columnheader', { name: /Name/ })).toHaveAttribute('aria-sort', 'descending');

  await page.getByRole('button', { name: 'Sort by Created' }).click();
  await expect(page).not.toHaveURL(/sort=/);
  await expect(firstName()).toHaveText('aardvark');
});

test('"select all N matching" revokes every token the filters match, on every page, in one request', async ({
  page,
}) => {
  await signIn(page, server.url);
  await page.goto(`${server.url}/orgs/${ORG.slug}/tokens?q=job-`);
  await expect(page.getByTestId('token-total')).toHaveText(`${LEGACY} tokens`);
  await page.getByRole('checkbox', { name: 'Select all tokens on this page' }).check();
  const banner = page.getByTestId('select-all-matching');
  await expect(banner).toContainText('The 50 tokens on this page are selected.');
  await banner.getByRole('button', { name: `Select all ${LEGACY} matching` }).click();
  await expect(banner).toContainText(`All ${LEGACY} matching tokens are selected.`);

  const bulk: string[] = [];
  page.on('request', (r) => {
    if (r.url().endsWith('/tokens/bulk')) bulk.push(r.postData() ?? '');
  });
  await page.getByRole('button', { name: `Revoke ${LEGACY} selected` }).click();
  const dialog = page.getByRole('dialog', { name: `Revoke ${LEGACY} tokens?` });
  await dialog.getByRole('button', { name: `Revoke ${LEGACY}` }).click();
  await expect(page.getByRole('alert').filter({ hasText: `${LEGACY} tokens revoked.` })).toBeVisible();
  expect(bulk).toHaveLength(1);
  expect(JSON.parse(bulk[0]!)).toEqual({
    action: 'revoke',
    matching: { search: 'job-' },
    expectedCount: LEGACY,
  });

  await expect(page.getByText('No tokens match these filters.')).toBeVisible();
  await page.goto(`${server.url}/orgs/${ORG.slug}/tokens`);
  await expect(page.getByTestId('token-total')).toHaveText('1 token');
});
