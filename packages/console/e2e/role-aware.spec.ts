import { expect, test, type Page } from '@playwright/test';
import { addMember, ORG, ownerApi, pageAction, signIn } from './helpers';
import { startLatchkey } from './server';

/**
 * Role-aware UI (issue 17 item 8): a member sees what their role lets them read, and the write actions it
 * does not grant are disabled with the permission they need (page actions) or left out (row menus). The
 * Owner, on the same pages, has them all.
 */
test.describe.configure({ mode: 'serial' });

const VIC = { email: 'vic@acme.test', password: 'a viewer password, long enough', name: 'Vic' };
let server: Awaited<ReturnType<typeof startLatchkey>>;
let tokenId: string;
test.beforeAll(async () => {
  server = await startLatchkey((port) => `http://127.0.0.1:${port}`);
  const api = await ownerApi(server.url);
  await addMember(api, server.url, VIC, 'Viewer');
  const sa = await api.post<{ id: string }>(`/orgs/${ORG.slug}/service-accounts`, { name: 'storefront' });
  tokenId = (
    await api.post<{ item: { id: string } }>(`/orgs/${ORG.slug}/tokens`, {
      name: 'backend',
      type: 'private',
      serviceAccountId: sa.id,
    })
  ).item.id;
  await api.post(`/orgs/${ORG.slug}/roles`, { name: 'Support', permissions: ['tokens:view'] });
  await api.ctx.dispose();
});
test.afterAll(async () => {
  await server?.stop();
});

async function signInAsViewer(page: Page) {
  await page.goto(`${server.url}/login`);
  await page.getByRole('textbox', { name: 'Email', exact: true }).fill(VIC.email);
  await page.getByRole('textbox', { name: 'Password', exact: true }).fill(VIC.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { name: 'Members', level: 1 })).toBeVisible();
}

/** A page action the role does not grant: in place, disabled, naming its permission on hover and focus. */
async function expectGated(page: Page, name: string, permission: string) {
  const button = pageAction(page, name);
  await expect(button).toBeVisible();
  await expect(button).toBeDisabled();
  await expect(button).toHaveAccessibleDescription(`Needs the ${permission} permission`);
  await button.hover();
  await expect(page.getByRole('tooltip')).toHaveText(`Needs the ${permission} permission`);
  await button.click({ force: true });
  await expect(page.getByRole('dialog')).toHaveCount(0);
  await button.blur();
  await page.mouse.move(0, 0);
  await expect(page.getByRole('tooltip')).toHaveCount(0);
  // From the keyboard: focus alone shows why (the browser treats focus after a key press as keyboard focus).
  await page.keyboard.press('Shift');
  await button.focus();
  await expect(page.getByRole('tooltip')).toHaveText(`Needs the ${permission} permission`);
  await button.blur();
  await expect(page.getByRole('tooltip')).toHaveCount(0);
}

test('a Viewer reads every page; what needs an edit permission is disabled or left out', async ({
  browser,
}) => {
  const page = await browser.newPage();
  await signInAsViewer(page);

  // Members: both page actions gated; another member's row has no menu, the Viewer's own offers leaving.
  await expectGated(page, 'Invite member', 'members:edit');
  await expectGated(page, 'Add new service account', 'service_accounts:edit');
  await expect(page.getByRole('button', { name: 'Actions for ada@acme.test' })).toHaveCount(0);
  await page.getByRole('button', { name: `Actions for ${VIC.email}` }).click();
  await expect(page.getByRole('menuitem')).toHaveText(['Remove from org']);
  await page.keyboard.press('Escape');

  // Service accounts: listed, no row menu, and a right-click leaves the browser's own menu alone.
  await page.getByRole('tab', { name: 'Service Accounts' }).click();
  await expect(page.getByRole('table', { name: 'Service accounts' })).toContainText('storefront');
  await expect(page.getByRole('button', { name: 'Actions for storefront' })).toHaveCount(0);
  await page.getByRole('row', { name: /storefront/ }).click({ button: 'right' });
  await expect(page.getByRole('menu')).toHaveCount(0);

  // Tokens: listed, no selection boxes, no row menu; Add Token gated.
  await page.goto(`${server.url}/orgs/${ORG.slug}/tokens`);
  await expect(page.getByRole('table', { name: 'Tokens' })).toContainText('backend');
  await expectGated(page, 'Add Token', 'tokens:edit');
  await expect(page.getByRole('checkbox')).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Actions for backend' })).toHaveCount(0);

  // The token's page: every field, no action, and why.
  await page.goto(`${server.url}/orgs/${ORG.slug}/tokens/${tokenId}`);
  await expect(page.getByRole('heading', { name: 'backend', level: 1 })).toBeVisible();
  await expect(page.getByText('Needs the tokens:edit permission to change tokens.')).toBeVisible();
  await expect(page.getByRole('group', { name: 'Token actions' })).toHaveCount(0);

  // Roles: readable. Every role opens read-only, a custom one saying which permission changing it needs.
  await page.goto(`${server.url}/orgs/${ORG.slug}/roles`);
  await expectGated(page, 'Add role', 'roles:edit');
  await page.getByRole('button', { name: 'Actions for Support' }).click();
  await expect(page.getByRole('menuitem')).toHaveText(['View']);
  await page.getByRole('menuitem', { name: 'View' }).click();
  const dialog = page.getByRole('dialog', { name: 'Support' });
  await expect(dialog.getByText('Changing a role needs the roles:edit permission.')).toBeVisible();
  await expect(dialog.getByRole('checkbox', { name: 'tokens view' })).toBeChecked();
  await expect(dialog.getByRole('checkbox', { name: 'tokens view' })).toBeDisabled();
  await expect(dialog.getByRole('button', { name: 'Save' })).toHaveCount(0);
  await dialog.getByRole('button', { name: 'Close', exact: true }).last().click();
  await expect(dialog).toHaveCount(0);

  // Webhooks: the list, and Add endpoint gated.
  await page.goto(`${server.url}/orgs/${ORG.slug}/webhooks`);
  await expectGated(page, 'Add endpoint', 'webhook_endpoints:edit');
  await page.close();
});

test('the Owner has every action on the same pages', async ({ page }) => {
  await signIn(page, server.url);
  await expect(pageAction(page, 'Invite member')).toBeEnabled();
  await expect(pageAction(page, 'Add new service account')).toBeEnabled();
  await page.getByRole('button', { name: `Actions for ${VIC.email}` }).click();
  await expect(page.getByRole('menuitem')).toHaveText(['Change role', 'Remove from org']);
  await page.keyboard.press('Escape');
  await page.goto(`${server.url}/orgs/${ORG.slug}/tokens`);
  await expect(pageAction(page, 'Add Token')).toBeEnabled();
  await expect(page.getByRole('button', { name: 'Actions for backend' })).toBeVisible();
  await page.goto(`${server.url}/orgs/${ORG.slug}/roles`);
  await pageAction(page, 'Add role').click();
  await expect(page.getByRole('dialog', { name: 'Add role' })).toBeVisible();
});
