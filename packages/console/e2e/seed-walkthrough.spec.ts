import { expect, test, type Page } from '@playwright/test';
import { baseUrl, ORG, OWNER, ownerApi, screenshot, signIn, pageAction } from './helpers';

/**
 * The walk-through of shared/seed/service-accounts.md in a real browser, screen by screen. Serial: each
 * step builds on the previous one, on one fresh server.
 */
test.describe.configure({ mode: 'serial' });

let page: Page;
test.beforeAll(async ({ browser }) => {
  page = await browser.newPage();
  page.on('console', (m) => consoleLines.push(m.text()));
});
test.afterAll(async () => {
  await page.close();
});
const consoleLines: string[] = [];
const secrets: string[] = [];
const COLLEAGUE = 'colleague@acme.test';
const COLLEAGUE_PASSWORD = 'colleague password 1';
/** An entry of the right-click menu (mantine-contextmenu renders its items as buttons). */
/** An item of the right-click menu: a menu with menu items, like the "⋯" button's. */
const contextMenuItem = (name: string) =>
  page.getByRole('menu', { name: 'Actions' }).getByRole('menuitem', { name });

test('first-run setup creates the org and its owner', async () => {
  await page.goto(process.env.LATCHKEY_SETUP_LINK!);
  await expect(page.getByRole('heading', { name: 'Set up Latchkey' })).toBeVisible();
  // The one-time token is taken out of the address bar at once.
  expect(page.url()).not.toContain('token=');
  await screenshot(page, '01-setup');
  await page.getByLabel('Organization name').fill(ORG.name);
  await page.getByLabel('Organization slug').fill(ORG.slug);
  await page.getByLabel('Your name').fill(OWNER.name);
  await page.getByRole('textbox', { name: 'Email', exact: true }).fill(OWNER.email);
  await page.getByRole('textbox', { name: 'Password', exact: true }).fill(OWNER.password);
  await page.getByRole('button', { name: 'Create organization' }).click();
  await expect(page.getByRole('heading', { name: 'Members' })).toBeVisible();
  await expect(page.getByTestId(`member-row-${OWNER.email}`)).toContainText('Owner');
  await expect(page.getByRole('navigation', { name: 'Main menu' })).toContainText('Tokens');
  await screenshot(page, '02-members');
});

test('a service account name with a space is refused; a valid one appears under Service Accounts', async () => {
  await page.getByRole('tab', { name: 'Service Accounts' }).click();
  await pageAction(page, 'Add new service account').click();
  const dialog = page.getByRole('dialog', { name: 'Add new service account' });
  await expect(dialog).toContainText('no spaces or special characters');
  await dialog.getByLabel('Name').fill('web shop');
  await expect(dialog).toContainText('may contain only ASCII letters, digits, "-" and "_"');
  await dialog.getByRole('button', { name: 'Create' }).click();
  await expect(dialog).toBeVisible();
  await screenshot(page, '03-service-account-name-refused');
  await dialog.getByLabel('Name').fill('web-shop');
  await dialog.getByLabel('Description').fill('Embedded viewer on the storefront');
  await dialog.getByRole('button', { name: 'Create' }).click();
  await expect(dialog).toBeHidden();
  const row = page.getByTestId('sa-row-web-shop');
  await expect(row).toContainText('Viewer');
  await expect(row).toContainText('active');

  // The server's own refusal is shown too (a duplicate name, case-insensitively).
  await pageAction(page, 'Add new service account').click();
  await dialog.getByLabel('Name').fill('WEB-SHOP');
  await dialog.getByRole('button', { name: 'Create' }).click();
  await expect(dialog.getByRole('alert')).toContainText('already exists');
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(dialog).toBeHidden();
  await screenshot(page, '04-service-accounts');
});

test('Add Token cannot be submitted without a service account; a public token with two domains is created and listed', async () => {
  await page.getByRole('link', { name: 'Tokens' }).click();
  await expect(page.getByRole('heading', { name: 'Tokens' })).toBeVisible();
  await expect(page.getByTestId('empty-state')).toBeVisible();
  await pageAction(page, 'Add Token').click();
  const form = page.getByRole('dialog', { name: 'Add Token' });
  await form.getByRole('textbox', { name: 'Name', exact: true }).fill('storefront viewer');
  await form.getByRole('button', { name: 'Create token' }).click();
  await expect(form).toContainText('A token must belong to a service account');
  await expect(form).toBeVisible();
  await screenshot(page, '05-add-token-needs-service-account');

  await form.getByRole('combobox', { name: 'Service account' }).click();
  await page.getByRole('option', { name: 'web-shop' }).click();
  await form.getByText('Public', { exact: true }).click();
  const domains = form.getByPlaceholder('https://shop.example.com — press Enter after each');
  await domains.fill('https://*.yourwebpage.com');
  await domains.press('Enter');
  await expect(form).toContainText('list every subdomain explicitly');
  await domains.press('Backspace'); // removes the refused entry
  await domains.fill('https://subdomain1.yourwebpage.com/');
  await domains.press('Enter');
  await domains.fill('https://subdomain2.yourwebpage.com/');
  await domains.press('Enter');
  await expect(form).not.toContainText('list every subdomain explicitly');
  await screenshot(page, '06-add-token-form');
  await form.getByRole('button', { name: 'Create token' }).click();

  const reveal = page.getByRole('dialog', { name: 'Your new token' });
  const value = (await reveal.getByTestId('revealed-token').textContent())!;
  expect(value).toMatch(/^lk_pub_[0-9A-Za-z]{38}$/);
  secrets.push(value);
  await expect(reveal.getByRole('button', { name: 'Copy token' })).toBeVisible();
  await screenshot(page, '07-token-reveal');
  await reveal.getByRole('button', { name: 'Done' }).click();

  const row = page.getByTestId('token-row-storefront viewer');
  await expect(row).toContainText('public');
  await expect(row).toContainText('web-shop');
  await expect(row).toContainText('https://subdomain1.yourwebpage.com');
  await expect(row).toContainText('https://subdomain2.yourwebpage.com');
});

test('a private token is revealed once, with a warning that it will not be shown again', async () => {
  await pageAction(page, 'Add Token').click();
  const form = page.getByRole('dialog', { name: 'Add Token' });
  await form.getByRole('textbox', { name: 'Name', exact: true }).fill('backend sync');
  await form.getByRole('combobox', { name: 'Service account' }).click();
  await page.getByRole('option', { name: 'web-shop' }).click();
  await form.getByRole('button', { name: 'Create token' }).click();
  const reveal = page.getByRole('dialog', { name: 'Your new token' });
  await expect(reveal).toContainText('will not be shown again');
  // A private value goes in a header, never a URL: the dialog does not suggest ?bearer_token= for it.
  await expect(reveal.getByTestId('how-to-send')).toContainText('Authorization: Bearer <token>');
  await expect(reveal.getByTestId('how-to-send')).not.toContainText('bearer_token');
  secrets.push((await reveal.getByTestId('revealed-token').textContent())!);
  // Closing without having copied a private value asks first; nothing is lost by answering "copy".
  await reveal.getByRole('button', { name: 'Done' }).click();
  await expect(reveal.getByTestId('not-copied')).toContainText('Did you copy it?');
  await expect(reveal).toBeVisible();
  await reveal.getByRole('button', { name: 'Copy token' }).click();
  await expect(reveal.getByTestId('not-copied')).toHaveCount(0);
  await reveal.getByRole('button', { name: 'Done' }).click();
  await expect(reveal).toBeHidden();
  await expect(page.getByTestId('token-row-backend sync')).toContainText('private');
});

test('removing a member who owns a (legacy, imported) token is refused; Reassign Token; then removal succeeds', async ({
  browser,
}) => {
  // Through the API: invite a colleague (no SMTP here: the owner gets the link and passes it on).
  const api = await ownerApi();
  const roles = await api.get<{ items: { id: string; name: string }[] }>(`/orgs/${ORG.slug}/roles`);
  const invite = await api.post<{ token: string }>(`/orgs/${ORG.slug}/invitations`, {
    email: COLLEAGUE,
    roleId: roles.items.find((r) => r.name === 'Admin')!.id,
  });
  // The colleague opens the link in their own browser, creates their account, is signed in and joins.
  const colleagueBrowser = await browser.newContext();
  const colleague = await colleagueBrowser.newPage();
  await colleague.goto(`${baseUrl()}/accept-invite#token=${invite.token}`);
  await expect(colleague.getByTestId('invitation-summary')).toContainText(
    `invited ${COLLEAGUE} to join ${ORG.name} as Admin`,
  );
  expect(colleague.url()).not.toContain('token='); // taken out of the address bar at once
  await colleague.getByLabel('Your name').fill('Colleague');
  await colleague.getByRole('textbox', { name: 'Choose a password' }).fill(COLLEAGUE_PASSWORD);
  await colleague.getByRole('button', { name: 'Create account and join' }).click();
  await expect(colleague.getByRole('heading', { name: 'Members' })).toBeVisible();
  await expect(colleague.getByTestId(`member-row-${COLLEAGUE}`)).toContainText('Admin');
  await colleagueBrowser.close();
  // And their token from the old system is imported.
  const ownerAgain = await ownerApi();
  await ownerAgain.post(`/orgs/${ORG.slug}/tokens/import`, {
    tokens: [
      { ownerEmail: COLLEAGUE, name: 'old integration', type: 'private', value: '7d0c2a4e-legacy-key-0001' },
    ],
  });

  // Members: right-click the colleague → Remove from org → refused, listing the token.
  await page.getByRole('link', { name: 'Members' }).click();
  const member = page.getByTestId(`member-row-${COLLEAGUE}`);
  await expect(member).toContainText('1');
  await member.click({ button: 'right' });
  await contextMenuItem('Remove from org').click();
  const removal = page.getByRole('dialog', { name: `Remove ${COLLEAGUE} from the org` });
  await removal.getByRole('button', { name: 'Remove from org' }).click();
  await expect(removal).toContainText('still owns 1 active token');
  await expect(removal.getByTestId('owned-tokens')).toContainText('old integration');
  await screenshot(page, '08-remove-member-refused');
  await removal.getByRole('button', { name: 'Cancel' }).click();

  // Tokens: the legacy token is marked; right-click → Reassign Token → only service accounts are offered.
  await page.getByRole('link', { name: 'Tokens' }).click();
  const legacy = page.getByTestId('token-row-old integration');
  await expect(legacy).toContainText('user-owned — reassign to a service account');
  await legacy.click({ button: 'right' });
  await contextMenuItem('Reassign Token').click();
  const reassign = page.getByRole('dialog', { name: 'Reassign Token "old integration"' });
  await reassign.getByRole('combobox', { name: 'Service account' }).click();
  const options = page.getByRole('option');
  await expect(options).toHaveText([/^web-shop · /]);
  await screenshot(page, '09-reassign-token');
  await options.first().click();
  await reassign.getByRole('button', { name: 'Reassign' }).click();
  await expect(reassign).toBeHidden();
  await expect(legacy).not.toContainText('user-owned');
  await expect(legacy.getByTestId('token-owner')).toHaveText('web-shop');
  await screenshot(page, '10-tokens');

  // Members again: now the colleague can be removed.
  await page.getByRole('link', { name: 'Members' }).click();
  await member.click({ button: 'right' });
  await contextMenuItem('Remove from org').click();
  await removal.getByRole('button', { name: 'Remove from org' }).click();
  await expect(removal).toBeHidden();
  await expect(member).toHaveCount(0);
});

test('someone who already has an account accepts by signing in with it, never through the accept form', async ({
  browser,
}) => {
  // A second org invites the colleague, whose account exists (they left the first org above).
  const api = await ownerApi();
  await api.post('/orgs', { name: 'Acme Labs', slug: 'acme-labs' });
  const roles = await api.get<{ items: { id: string; name: string }[] }>('/orgs/acme-labs/roles');
  const invite = await api.post<{ token: string }>('/orgs/acme-labs/invitations', {
    email: COLLEAGUE,
    roleId: roles.items.find((r) => r.name === 'Viewer')!.id,
  });
  const ctx = await browser.newContext();
  const colleague = await ctx.newPage();
  await colleague.goto(`${baseUrl()}/accept-invite#token=${invite.token}`);
  // "New" with some other password: the server answers as for a newcomer, the sign-in then fails, and the
  // page says what to do without ever having been told whether the account exists.
  await colleague.getByLabel('Your name').fill('Someone');
  await colleague.getByRole('textbox', { name: 'Choose a password' }).fill('not my real password');
  await colleague.getByRole('button', { name: 'Create account and join' }).click();
  await expect(colleague.getByRole('alert')).toContainText(
    `If you already have an account for ${COLLEAGUE}, sign in with it to accept.`,
  );
  await expect(colleague.getByRole('tab', { name: 'I have an account' })).toHaveAttribute(
    'aria-selected',
    'true',
  );
  await colleague.getByRole('textbox', { name: 'Password', exact: true }).fill(COLLEAGUE_PASSWORD);
  await colleague.getByRole('button', { name: 'Sign in and join' }).click();
  await expect(colleague.getByRole('heading', { name: 'Members' })).toBeVisible();
  await expect(colleague.getByTestId(`member-row-${COLLEAGUE}`)).toContainText('Viewer');
  await ctx.close();
});

test('row menus are also reachable from the visible ⋯ button and by keyboard', async () => {
  await page.getByRole('link', { name: 'Tokens' }).click();
  const button = page.getByRole('button', { name: 'Actions for backend sync' });
  await button.focus();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('menuitem', { name: 'Reassign Token' })).toBeVisible();
  await expect(page.getByRole('menuitem', { name: 'Revoke' })).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(page.getByRole('menuitem', { name: 'Revoke' })).toBeHidden();
});

test('revoking asks for confirmation and hides the token from the default list', async () => {
  await page.getByRole('button', { name: 'Actions for backend sync' }).click();
  await page.getByRole('menuitem', { name: 'Revoke' }).click();
  await page
    .getByRole('dialog', { name: 'Revoke backend sync?' })
    .getByRole('button', { name: 'Revoke' })
    .click();
  await expect(page.getByRole('alert').filter({ hasText: 'backend sync revoked.' })).toBeVisible();
  await expect(page.getByTestId('token-row-backend sync')).toHaveCount(0);
  await page.getByRole('combobox', { name: 'Status' }).click();
  await page.getByRole('option', { name: 'Revoked' }).click();
  await expect(page.getByTestId('token-row-backend sync')).toContainText('revoked');
});

test('roles show the permission grid; a custom role can be created', async () => {
  await page.getByRole('link', { name: 'Roles' }).click();
  await expect(page.getByTestId('role-row-Owner')).toContainText('built-in');
  await page.getByRole('button', { name: 'Add role' }).click();
  const editor = page.getByRole('dialog', { name: 'Add role' });
  await editor.getByLabel('Name').fill('Storefront reader');
  await editor.getByRole('checkbox', { name: 'assets edit' }).check();
  await expect(editor.getByRole('checkbox', { name: 'assets view' })).toBeChecked();
  await screenshot(page, '11-roles');
  await editor.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByTestId('role-row-Storefront reader')).toContainText('1 edit, 1 view');
});

test('the audit log lists every change and expands to before/after', async () => {
  await page.getByRole('link', { name: 'Audit log' }).click();
  const entry = page.getByRole('button', { name: /token\.reassign/ });
  await expect(entry).toBeVisible();
  await entry.click();
  // Expanded: before (owned by the colleague) and after (owned by the service account).
  const shown = page.locator('pre:visible', { hasText: 'ownerServiceAccountId' });
  await expect(shown).toHaveCount(2);
  await expect(shown.first()).toContainText('"ownerUserId": "usr_');
  await expect(shown.last()).toContainText('"ownerServiceAccountId": "sa_');
  await screenshot(page, '12-audit-log');
  // The action filter offers the closed set of actions only; picking one narrows the log to it.
  await page.getByRole('combobox', { name: 'Filter by action' }).fill('token.rea');
  await page.getByRole('option', { name: 'token.reassign' }).click();
  await expect(page.getByRole('button', { name: /service_account\.create/ })).toHaveCount(0);
  await expect(page.getByRole('button', { name: /token\.reassign/ }).first()).toBeVisible();
});

test('no secret ever reaches localStorage, sessionStorage, the URL or the console log', async () => {
  const storage = await page.evaluate(
    () => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }),
  );
  for (const s of secrets) {
    expect(storage).not.toContain(s);
    expect(page.url()).not.toContain(s);
    expect(consoleLines.join('\n')).not.toContain(s);
  }
  expect(secrets.length).toBe(2);
});

test('the console is usable on a narrow (390 px) screen', async ({ browser }) => {
  const ctx = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const narrow = await ctx.newPage();
  await signIn(narrow);
  await expect(narrow.getByRole('button', { name: 'Menu' })).toBeVisible();
  await narrow.getByRole('button', { name: 'Menu' }).click();
  await narrow.getByRole('link', { name: 'Tokens' }).click();
  await expect(pageAction(narrow, 'Add Token')).toBeInViewport({ ratio: 1 });
  await expect(narrow.getByRole('heading', { name: 'Tokens' })).toBeInViewport({ ratio: 1 });
  // The menu has slid away (its closing transition is over) before the screenshot.
  await expect(narrow.getByRole('link', { name: 'Tokens' })).not.toBeInViewport();
  await screenshot(narrow, '13-narrow-tokens');
  await ctx.close();
});
