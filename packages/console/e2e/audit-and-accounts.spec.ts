import { expect, test } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { addMember, ORG, ownerApi, screenshot, signIn } from './helpers';
import { startLatchkey } from './server';

/**
 * The audit log names things and filters by action, actor, object and day, and exports what it shows
 * (issue 17 item 11); a service account has a page of its own: role, tokens, history (item 9).
 */
test.describe.configure({ mode: 'serial' });

const VIC = { email: 'vic@acme.test', password: 'a viewer password, long enough', name: 'Vic' };
let server: Awaited<ReturnType<typeof startLatchkey>>;
let saId: string;
let checkoutId: string;
test.beforeAll(async () => {
  server = await startLatchkey((port) => `http://127.0.0.1:${port}`);
  const api = await ownerApi(server.url);
  await addMember(api, server.url, VIC, 'Viewer');
  saId = (await api.post<{ id: string }>(`/orgs/${ORG.slug}/service-accounts`, { name: 'storefront' })).id;
  checkoutId = (
    await api.post<{ item: { id: string } }>(`/orgs/${ORG.slug}/tokens`, {
      name: 'checkout',
      type: 'private',
      serviceAccountId: saId,
    })
  ).item.id;
  const old = await api.post<{ item: { id: string } }>(`/orgs/${ORG.slug}/tokens`, {
    name: 'old-feed',
    type: 'private',
    serviceAccountId: saId,
  });
  const revoked = await api.ctx.delete(`/api/v1/orgs/${ORG.slug}/tokens/${old.item.id}`, {
    headers: { 'x-csrf-token': api.csrfToken },
  });
  expect(revoked.status()).toBe(204);
  await api.ctx.dispose();
});
test.afterAll(async () => {
  await server?.stop();
});

test('the audit log shows names (ids on hover) and filters by action, actor and day', async ({ page }) => {
  await signIn(page, server.url);
  await page.goto(`${server.url}/orgs/${ORG.slug}/audit`);
  const created = page
    .locator('[aria-label="Audit entries"]')
    .getByRole('button')
    .filter({ hasText: 'service_account.create' })
    .first();
  await expect(created.getByTestId('audit-target')).toHaveText('service account storefront');
  await created.getByTestId('audit-target').hover();
  await expect(page.getByRole('tooltip')).toHaveText(saId);
  await page.mouse.move(0, 0);

  // Action.
  await page.getByRole('combobox', { name: 'Filter by action' }).fill('token.revoke');
  await page.getByRole('option', { name: 'token.revoke', exact: true }).click();
  await expect(page.getByTestId('audit-target')).toHaveText(['token old-feed']);
  await page.reload();

  // Actor: the Viewer did one thing, joining.
  await page.getByRole('combobox', { name: 'Filter by actor' }).click();
  await page.getByRole('option', { name: VIC.email }).click();
  await expect(page.getByTestId('audit-actor')).toHaveText([`by ${VIC.email} from 127.0.0.1`]);
  await expect(page.locator('[aria-label="Audit entries"]')).toContainText('invitation.accept');
  await page.reload();

  // Day: nothing from tomorrow on; today has it all.
  const day = (offset: number) => {
    const d = new Date(Date.now() + offset * 86_400_000);
    return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
  };
  await page.getByLabel('From day').fill(day(1));
  await expect(page.getByText('No entries.')).toBeVisible();
  await page.getByLabel('From day').fill(day(0));
  await page.getByLabel('To day').fill(day(0));
  await expect(page.getByTestId('audit-target').first()).toBeVisible();
  await screenshot(page, '28-audit-log-names');
});

test('Export downloads what the filters match, as CSV and as JSON lines', async ({ page }) => {
  await signIn(page, server.url);
  await page.goto(`${server.url}/orgs/${ORG.slug}/audit`);
  await page.getByRole('combobox', { name: 'Filter by action' }).fill('token.create');
  await page.getByRole('option', { name: 'token.create', exact: true }).click();
  await expect(page.getByTestId('audit-target')).toHaveCount(2);

  await page.getByRole('button', { name: 'Export' }).click();
  const csvDownload = page.waitForEvent('download');
  await page.getByRole('menuitem', { name: 'CSV (spreadsheets)' }).click();
  const csv = await csvDownload;
  expect(csv.suggestedFilename()).toMatch(/^audit-acme-\d{4}-\d{2}-\d{2}\.csv$/);
  const lines = readFileSync((await csv.path())!, 'utf8')
    .trimEnd()
    .split('\n');
  expect(lines[0]).toBe('at,action,actor_type,actor_id,actor,target_type,target_id,ip,before,after');
  expect(lines.slice(1).map((l) => l.split(',')[1])).toEqual(['token.create', 'token.create']);

  await page.getByRole('button', { name: 'Export' }).click();
  const jsonDownload = page.waitForEvent('download');
  await page.getByRole('menuitem', { name: 'JSON lines' }).click();
  const rows = readFileSync((await (await jsonDownload).path())!, 'utf8')
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l) as { action: string; target: { id: string } });
  expect(rows.map((r) => r.action)).toEqual(['token.create', 'token.create']);
  expect(rows.map((r) => r.target.id)).toContain(checkoutId);
});

test("a service account's page: its role, its tokens with their last use, and its history", async ({
  page,
}) => {
  await signIn(page, server.url);
  await page.goto(`${server.url}/orgs/${ORG.slug}/members?tab=service-accounts`);
  await page.getByRole('link', { name: 'storefront' }).click();
  await expect(page.getByRole('heading', { name: 'storefront', level: 1 })).toBeVisible();
  const details = page.getByRole('table', { name: 'Service account details' });
  await expect(details.getByRole('row', { name: /Role/ })).toContainText('Viewer');
  const tokens = page.getByRole('table', { name: 'Its tokens' });
  // Live first; the revoked one stays for the record.
  await expect(tokens.getByRole('row')).toHaveCount(3);
  await expect(tokens.getByRole('row').nth(1)).toContainText('checkout');
  await expect(tokens.getByRole('row').nth(2)).toContainText('old-feed');
  await expect(tokens.getByRole('row').nth(2).getByTestId('token-status')).toHaveText('revoked');
  await expect(page.getByRole('table', { name: 'Service account history' })).toContainText(
    'service_account.create',
  );
  await screenshot(page, '29-service-account-page');

  // Its token's page links back to it.
  await tokens.getByRole('link', { name: 'checkout' }).click();
  await expect(page.getByRole('heading', { name: 'checkout', level: 1 })).toBeVisible();
  await page.getByRole('table', { name: 'Token details' }).getByRole('link', { name: 'storefront' }).click();
  await expect(page).toHaveURL(new RegExp(`/orgs/${ORG.slug}/service-accounts/${saId}$`));
});
