import { expect, test } from '@playwright/test';
import { ORG, ownerApi, pageAction, signIn } from './helpers';
import { startLatchkey } from './server';

/**
 * Token edit covers permissions and expiry (issue 17 item 10), within what the owner's role and the
 * editor hold; one owner's live tokens have different names.
 */
test.describe.configure({ mode: 'serial' });

interface TokenDetail {
  id: string;
  name: string;
  permissions: string[] | null;
  effectivePermissions: string[];
  expiresAt: string | null;
}
let server: Awaited<ReturnType<typeof startLatchkey>>;
let tokenId: string;
test.beforeAll(async () => {
  server = await startLatchkey((port) => `http://127.0.0.1:${port}`);
  const api = await ownerApi(server.url);
  const roles = await api.get<{ items: { id: string; name: string }[] }>(`/orgs/${ORG.slug}/roles`);
  const viewer = roles.items.find((r) => r.name === 'Viewer')!.id;
  const sa = await api.post<{ id: string }>(`/orgs/${ORG.slug}/service-accounts`, {
    name: 'reporting',
    roleId: viewer,
  });
  tokenId = (
    await api.post<{ item: { id: string } }>(`/orgs/${ORG.slug}/tokens`, {
      name: 'nightly-report',
      type: 'private',
      serviceAccountId: sa.id,
    })
  ).item.id;
  await api.ctx.dispose();
});
test.afterAll(async () => {
  await server?.stop();
});

test('Edit narrows the permissions and sets an expiry; emptying both restores the defaults', async ({
  page,
}) => {
  const api = await ownerApi(server.url);
  const detail = () => api.get<TokenDetail>(`/orgs/${ORG.slug}/tokens/${tokenId}`);
  await signIn(page, server.url);
  await page.goto(`${server.url}/orgs/${ORG.slug}/tokens`);
  await page.getByRole('button', { name: 'Actions for nightly-report' }).click();
  await page.getByRole('menuitem', { name: 'Edit' }).click();
  const dialog = page.getByRole('dialog', { name: 'Edit nightly-report' });
  await expect(dialog).toBeVisible();

  // Only what the Viewer role of its service account holds is offered.
  await dialog.getByLabel('Permissions').click();
  await expect(page.getByRole('option').first()).toBeVisible(); // the list renders after the click
  const offered = await page.getByRole('option').allTextContents();
  expect(offered.length).toBeGreaterThan(0);
  expect(offered.every((p) => p.endsWith(':view'))).toBe(true);
  await page.getByRole('option', { name: 'tokens:view', exact: true }).click();
  await page.keyboard.press('Escape');

  // A past expiry is refused inline, before anything is sent.
  const expiry = dialog.getByLabel('Expires at');
  await expiry.fill('2020-01-01T10:00');
  await expect(dialog.getByText('The expiry must be in the future.')).toBeVisible();
  await expect(dialog.getByRole('button', { name: 'Save' })).toBeDisabled();
  await expiry.fill('2099-06-30T12:00');
  await dialog.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'nightly-report saved.' })).toBeVisible();
  await expect(dialog).toHaveCount(0);

  let t = await detail();
  expect(t.permissions).toEqual(['tokens:view']);
  expect(t.effectivePermissions).toEqual(['tokens:view']);
  expect(new Date(t.expiresAt!).getFullYear()).toBe(2099);

  // Emptied: all of its role again, and no expiry.
  await page.getByRole('button', { name: 'Actions for nightly-report' }).click();
  await page.getByRole('menuitem', { name: 'Edit' }).click();
  await expect(dialog.getByLabel('Expires at')).toHaveValue('2099-06-30T12:00');
  await dialog.getByLabel('Expires at').fill('');
  await dialog.getByLabel('Permissions').focus();
  await page.keyboard.press('Backspace'); // removes the one chosen permission
  await page.keyboard.press('Escape');
  // Saying plainly that an empty list is wider, not narrower.
  await expect(dialog.getByTestId('permissions-widen')).toContainText("all of reporting's role again");
  await dialog.getByRole('button', { name: 'Save' }).click();
  await expect(dialog).toHaveCount(0);
  t = await detail();
  expect(t.permissions).toBeNull();
  expect(t.expiresAt).toBeNull();
  expect(t.effectivePermissions.length).toBeGreaterThan(1);
  await api.ctx.dispose();
});

test('a second live token with the same name for one service account is refused, with the reason', async ({
  page,
}) => {
  await signIn(page, server.url);
  await page.goto(`${server.url}/orgs/${ORG.slug}/tokens`);
  await pageAction(page, 'Add Token').click();
  const dialog = page.getByRole('dialog', { name: 'Add Token' });
  await dialog.getByRole('textbox', { name: 'Name' }).fill('nightly-report');
  await dialog.getByRole('combobox', { name: 'Service account' }).click();
  await page.getByRole('option', { name: /reporting/ }).click();
  await dialog.getByRole('button', { name: 'Create token' }).click();
  await expect(dialog.getByRole('alert')).toContainText('already has a live token named "nightly-report"');
  await expect(page.getByRole('table', { name: 'Tokens' }).getByText('nightly-report')).toHaveCount(1);
});
