import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { addMember, ORG, ownerApi, signIn, pageAction } from './helpers';
import { startLatchkey } from './server';

/**
 * Accessibility (issue 17 item 14, WCAG 2.1 AA): axe-core over every page and the dialogs an admin opens
 * most, on a server of its own seeded with a bit of everything. No violation of serious or critical
 * impact is allowed; keyboard tests check where focus goes when a dialog closes.
 */
test.describe.configure({ mode: 'serial' });

const WCAG = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
let server: Awaited<ReturnType<typeof startLatchkey>>;
let page: Page;
let tokenId: string;

/** The serious and critical violations on what the page shows now, one line each (rule, count, where). */
async function violations(p: Page, label: string, only?: string): Promise<string[]> {
  const builder = new AxeBuilder({ page: p }).withTags(WCAG);
  // A dialog or menu is checked on its own: the page behind it has its own check.
  const result = await (only ? builder.include(only) : builder).analyze();
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map(
      (v) =>
        `${label}: ${v.id} ×${v.nodes.length} — ${v.nodes
          .slice(0, 3)
          .map((n) => `${n.target.join(' ')} ${n.failureSummary?.split('\n')[1]?.trim() ?? ''}`)
          .join(' | ')}`,
    );
}

test.beforeAll(async ({ browser }) => {
  server = await startLatchkey((port) => `http://127.0.0.1:${port}`);
  const api = await ownerApi(server.url);
  const sa = await api.post<{ id: string }>(`/orgs/${ORG.slug}/service-accounts`, { name: 'storefront' });
  const pub = await api.post<{ item: { id: string } }>(`/orgs/${ORG.slug}/tokens`, {
    name: 'widget',
    type: 'public',
    serviceAccountId: sa.id,
    domains: ['https://shop.example.com'],
  });
  tokenId = pub.item.id;
  await api.post(`/orgs/${ORG.slug}/tokens`, { name: 'backend', type: 'private', serviceAccountId: sa.id });
  await addMember(
    api,
    server.url,
    { email: 'vic@acme.test', password: 'a viewer password, long enough', name: 'Vic' },
    'Viewer',
  );
  const roles = await api.get<{ items: { id: string; name: string }[] }>(`/orgs/${ORG.slug}/roles`);
  await api.post(`/orgs/${ORG.slug}/invitations`, {
    email: 'new@acme.test',
    roleId: roles.items.find((r) => r.name === 'Viewer')!.id,
  });
  await api.ctx.dispose();
  // axe needs a page in a context of its own (browser.newContext).
  page = await (await browser.newContext()).newPage();
  await signIn(page, server.url);
});
test.afterAll(async () => {
  await page?.context().close();
  await server?.stop();
});

const base = () => `${server.url}/orgs/${ORG.slug}`;
const PAGES = [
  ['Members', '/members', 'Members'],
  ['Service accounts tab', '/members?tab=service-accounts', 'Members'],
  ['Invitations tab', '/members?tab=invitations', 'Members'],
  ['Tokens', '/tokens', 'Tokens'],
  ['a token’s page', '/tokens/TOKEN', 'widget'],
  ['Token hygiene', '/tokens/hygiene', 'Token hygiene'],
  ['Roles', '/roles', 'Roles'],
  ['Audit log', '/audit', 'Audit log'],
  ['Webhooks', '/webhooks', 'Webhooks'],
  ['Organization settings', '/settings', 'Organization settings'],
] as const;

async function open(path: string, heading: string): Promise<void> {
  await page.goto(`${base()}${path.replace('TOKEN', tokenId)}`);
  await expect(page.getByRole('heading', { level: 1 })).toContainText(heading);
  await expect(page.getByText('Loading…')).toHaveCount(0);
}

test('no page has a serious or critical violation (signed out too)', async ({ browser }) => {
  const found: string[] = [];
  for (const [label, path, heading] of PAGES) {
    await open(path, heading);
    found.push(...(await violations(page, label)));
  }
  const signedOut = await (await browser.newContext()).newPage();
  await signedOut.goto(`${server.url}/login`);
  await expect(signedOut.getByRole('button', { name: 'Sign in' })).toBeVisible();
  found.push(...(await violations(signedOut, 'Sign in')));
  await signedOut.context().close();
  expect(found).toEqual([]);
});

test('no dialog or menu has a serious or critical violation', async () => {
  const found: string[] = [];
  const dialog = page.getByRole('dialog');
  const check = async (label: string, openIt: () => Promise<void>) => {
    await openIt();
    found.push(...(await violations(page, label, '[role="dialog"], [role="menu"]')));
    await page.keyboard.press('Escape');
    await expect(dialog).toHaveCount(0);
    await expect(page.getByRole('menu')).toHaveCount(0);
  };
  await open('/tokens', 'Tokens');
  await check('Add Token', async () => {
    await pageAction(page, 'Add Token').click();
    await expect(dialog).toBeVisible();
  });
  await check('the ⋯ menu', async () => {
    await page.getByRole('button', { name: 'Actions for widget' }).click();
    await expect(page.getByRole('menu')).toBeVisible();
  });
  await check('the right-click menu', async () => {
    await page.getByTestId('token-row-widget').click({ button: 'right' });
    await expect(page.getByRole('menu', { name: 'Actions' }).getByRole('menuitem').first()).toBeVisible();
  });
  await check('Revoke confirmation', async () => {
    await page.getByRole('button', { name: 'Actions for widget' }).click();
    await page.getByRole('menuitem', { name: 'Revoke' }).click();
    await expect(dialog).toBeVisible();
  });
  await open('/members', 'Members');
  await check('Invite member', async () => {
    await pageAction(page, 'Invite member').click();
    await expect(dialog).toBeVisible();
  });
  await check('Add new service account', async () => {
    await pageAction(page, 'Add new service account').click();
    await expect(dialog).toBeVisible();
  });
  await open('/roles', 'Roles');
  await check('Add role', async () => {
    await page.getByRole('button', { name: 'Add role' }).click();
    await expect(dialog).toBeVisible();
  });
  await open('/webhooks', 'Webhooks');
  await check('Add endpoint', async () => {
    await page.getByRole('button', { name: 'Add endpoint' }).first().click();
    await expect(dialog).toBeVisible();
  });
  expect(found).toEqual([]);
});

test('a dialog opened from a row menu gives focus back to that row’s ⋯ button when it closes', async () => {
  await open('/tokens', 'Tokens');
  const actions = page.getByRole('button', { name: 'Actions for widget' });
  for (const close of ['Cancel', 'Escape'] as const) {
    await actions.focus();
    await page.keyboard.press('Enter');
    await expect(page.getByRole('menuitem', { name: 'Revoke' })).toBeVisible();
    await page.getByRole('menuitem', { name: 'Revoke' }).focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog');
    await expect(dialog).toBeVisible();
    if (close === 'Cancel') await dialog.getByRole('button', { name: 'Cancel' }).click();
    else await page.keyboard.press('Escape');
    await expect(dialog).toHaveCount(0);
    await expect(actions, `after ${close}`).toBeFocused();
  }
  // Nothing was revoked: the list (active tokens) still shows it.
  await expect(page.getByTestId('token-row-widget')).toBeVisible();
});

test('the right-click menu is a menu of menu items, the same as the ⋯ menu', async () => {
  await open('/tokens', 'Tokens');
  await page.getByTestId('token-row-widget').click({ button: 'right' });
  const items = page.getByRole('menu', { name: 'Actions' }).getByRole('menuitem');
  await expect(items.first()).toBeFocused();
  const titles = await items.allTextContents();
  expect(titles).toContain('Revoke');
  await page.keyboard.press('Escape');
  await page.getByRole('button', { name: 'Actions for widget' }).click();
  // The menu renders after the click: wait for it (allTextContents alone reads whatever is there yet).
  await expect(page.getByRole('menu').getByRole('menuitem')).toHaveText(titles);
  await page.keyboard.press('Escape');
});

test('the Settings group of the menu is a button the keyboard can fold and unfold', async () => {
  await open('/members', 'Members');
  const settings = page.getByRole('button', { name: 'Settings' });
  await expect(settings).toHaveAttribute('aria-expanded', 'true');
  await settings.focus();
  await page.keyboard.press('Enter');
  await expect(settings).toHaveAttribute('aria-expanded', 'false');
  await expect(page.getByRole('link', { name: 'Tokens', exact: true })).toBeHidden();
  await page.keyboard.press('Enter');
  await expect(settings).toHaveAttribute('aria-expanded', 'true');
  await expect(page.getByRole('link', { name: 'Tokens', exact: true })).toBeVisible();
});
