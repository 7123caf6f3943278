import { expect, test, type Page, type Request } from '@playwright/test';
import { addMember, ORG, ownerApi, screenshot, signIn, pageAction } from './helpers';
import { startLatchkey } from './server';

/**
 * What an admin does to many tokens at once (issue 17, "correctness first"): every bulk change is one
 * request and one transaction, the reassign dialog says what a move would take away before it happens,
 * and removing a member who owns a dozen tokens fits on the screen. On a server of its own, seeded
 * through the API: a member (Admin) with twelve tokens imported from an old system, and two service
 * accounts, one with the Viewer role and one with the Admin role. Serial: each step continues the last.
 */
test.describe.configure({ mode: 'serial' });

const MIA = { email: 'mia@acme.test', password: 'a member password, long enough', name: 'Mia' };
const LEGACY = Array.from({ length: 12 }, (_, i) => `legacy key ${String(i + 1).padStart(2, '0')}`);

type Api = Awaited<ReturnType<typeof ownerApi>>;
interface TokenView {
  id: string;
  name: string;
  status: string;
  owner: { type: string; id: string; name?: string };
  effectivePermissions: string[];
}

let server: Awaited<ReturnType<typeof startLatchkey>>;
let api: Api;
let page: Page;
let miaId: string;
const accounts = new Map<string, string>();

test.beforeAll(async ({ browser }) => {
  server = await startLatchkey((port) => `http://127.0.0.1:${port}`);
  api = await ownerApi(server.url);
  const roles = await api.get<{ items: { id: string; name: string }[] }>(`/orgs/${ORG.slug}/roles`);
  const roleId = (name: string) => roles.items.find((r) => r.name === name)!.id;
  for (const [name, role] of [
    ['reporting', 'Viewer'],
    ['ops', 'Admin'],
  ] as const) {
    const sa = await api.post<{ id: string }>(`/orgs/${ORG.slug}/service-accounts`, {
      name,
      roleId: roleId(role),
    });
    accounts.set(name, sa.id);
  }
  miaId = await addMember(api, server.url, MIA, 'Admin');
  await api.post(`/orgs/${ORG.slug}/tokens/import`, {
    tokens: LEGACY.map((name, i) => ({
      ownerEmail: MIA.email,
      name,
      type: 'private',
      value: `5c1e0d3a-legacy-key-${String(i).padStart(4, '0')}`,
    })),
  });
  page = await browser.newPage();
  await signIn(page, server.url);
});
test.afterAll(async () => {
  await page?.close();
  await api?.ctx.dispose();
  await server?.stop();
});

const tokensOf = async (owner: string) =>
  (await api.get<{ items: TokenView[] }>(`/orgs/${ORG.slug}/tokens?owner=${owner}&status=all&limit=100`))
    .items;
/** The API writes the page sends from now on (method and path), to count requests. */
function recordWrites(p: Page): { writes: string[]; stop: () => void } {
  const writes: string[] = [];
  const listener = (r: Request) => {
    if (r.method() !== 'GET' && r.url().includes('/api/v1/'))
      writes.push(`${r.method()} ${new URL(r.url()).pathname}`);
  };
  p.on('request', listener);
  return { writes, stop: () => p.off('request', listener) };
}

test('the reassign dialog shows each account’s role and what a move would take away, before it happens', async () => {
  await page.goto(`${server.url}/orgs/${ORG.slug}/tokens?owner=${miaId}`);
  await expect(page.locator('tbody tr')).toHaveCount(12);
  await page.getByRole('button', { name: 'Actions for legacy key 01' }).click();
  await page.getByRole('menuitem', { name: 'Reassign Token' }).click();
  const dialog = page.getByRole('dialog', { name: 'Reassign Token "legacy key 01"' });
  await dialog.getByRole('combobox', { name: 'Service account' }).click();
  await expect(page.getByRole('option')).toHaveText(['reporting · Viewer', 'ops · Admin']);
  await page.getByRole('option', { name: 'reporting · Viewer' }).click();
  // Mia's token can do what her Admin role grants; the Viewer role grants none of the edits.
  const preview = dialog.getByTestId('reassign-permissions');
  await expect(preview).toContainText('Some permissions are lost');
  await expect(preview).toContainText('legacy key 01: ');
  await expect(preview).toContainText('tokens:edit');
  await screenshot(page, '23-reassign-permission-preview');
  await dialog.getByRole('combobox', { name: 'Service account' }).click();
  await page.getByRole('option', { name: 'ops · Admin' }).click();
  await expect(preview).toContainText('keeps every permission it has now');
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(dialog).toBeHidden();
  // Nothing moved.
  expect((await tokensOf(miaId)).map((t) => t.owner.type)).toEqual(Array(12).fill('user'));
});

test('the filters live in the URL: a reload keeps them', async () => {
  await page.goto(`${server.url}/orgs/${ORG.slug}/tokens`);
  await page.getByRole('textbox', { name: 'Search tokens by name' }).fill('key 1');
  await expect(page).toHaveURL(/[?&]q=key(\+|%20)1/);
  await expect(page.locator('tbody tr')).toHaveCount(3);
  await page.reload();
  await expect(page.getByRole('textbox', { name: 'Search tokens by name' })).toHaveValue('key 1');
  await expect(page.locator('tbody tr')).toHaveCount(3);
});

test('removing a member who owns twelve tokens: the count, the first five, a link to all, and one transaction', async () => {
  await page.goto(`${server.url}/orgs/${ORG.slug}/members`);
  const member = page.getByTestId(`member-row-${MIA.email}`);
  await member.getByRole('button', { name: `Actions for ${MIA.email}` }).click();
  await page.getByRole('menuitem', { name: 'Remove from org' }).click();
  const removal = page.getByRole('dialog', { name: `Remove ${MIA.email} from the org` });
  // The first step already says so.
  await expect(removal.getByTestId('owned-tokens-note')).toContainText('They own 12 active tokens');
  await removal.getByRole('button', { name: 'Remove from org' }).click();
  await expect(removal.getByRole('alert')).toContainText('still owns 12 active tokens');
  await expect(removal.getByTestId('owned-tokens').getByRole('listitem')).toHaveCount(5);
  await expect(removal).toContainText('and 7 more.');
  const all = removal.getByRole('link', { name: 'See all 12 on the Tokens page' });
  await expect(all).toHaveAttribute('href', new RegExp(`/orgs/${ORG.slug}/tokens\\?owner=${miaId}$`));
  // The dialog fits: its action is on the screen without scrolling.
  const action = removal.getByRole('button', { name: 'Reassign all and remove' });
  await expect(action).toBeInViewport();
  await removal.getByRole('combobox', { name: 'Reassign all 12 to' }).click();
  await page.getByRole('option', { name: 'ops · Admin' }).click();
  await screenshot(page, '24-remove-member-owning-tokens');
  const { writes, stop } = recordWrites(page);
  await action.click();
  await expect(removal).toBeHidden();
  stop();
  // One request moves all twelve (one transaction), one removes the member.
  expect(writes).toEqual([
    `POST /api/v1/orgs/${ORG.slug}/members/${miaId}/reassign-tokens`,
    `DELETE /api/v1/orgs/${ORG.slug}/members/${miaId}`,
  ]);
  await expect(member).toHaveCount(0);
  const moved = await tokensOf(accounts.get('ops')!);
  expect(moved.map((t) => t.name).sort()).toEqual(LEGACY);
});

test('bulk revoke from the Tokens page: one request, every selected token revoked', async () => {
  await page.goto(`${server.url}/orgs/${ORG.slug}/tokens?owner=${accounts.get('ops')!}`);
  await expect(page.locator('tbody tr')).toHaveCount(12);
  await page.getByRole('checkbox', { name: 'Select all tokens on this page' }).check();
  await page.getByRole('checkbox', { name: 'Select legacy key 12' }).uncheck();
  await page.getByRole('button', { name: 'Revoke 11 selected' }).click();
  const confirm = page.getByRole('dialog', { name: 'Revoke 11 tokens?' });
  await expect(confirm).toContainText('and 6 more');
  const { writes, stop } = recordWrites(page);
  await confirm.getByRole('button', { name: 'Revoke 11' }).click();
  await expect(confirm).toBeHidden();
  stop();
  expect(writes).toEqual([`POST /api/v1/orgs/${ORG.slug}/tokens/bulk`]);
  const after = await tokensOf(accounts.get('ops')!);
  expect(after.filter((t) => t.status === 'revoked')).toHaveLength(11);
  expect(after.find((t) => t.name === 'legacy key 12')!.status).toBe('active');
  // The active list now shows the one left.
  await expect(page.locator('tbody tr')).toHaveCount(1);

  // One audit entry for the change, listing the eleven (and the move before it was one entry too).
  await page.goto(`${server.url}/orgs/${ORG.slug}/audit`);
  const targets = page.getByTestId('audit-target');
  await expect(targets.first()).toHaveText('11 tokens · revoke');
  await expect(targets.nth(1)).toContainText('member'); // the removal
  await expect(targets.nth(2)).toHaveText('12 tokens · reassign');
});

test('Members offers “Add new service account” beside “Invite member” on every tab', async () => {
  await page.goto(`${server.url}/orgs/${ORG.slug}/members`);
  for (const tab of ['Members', 'Service Accounts', 'Invitations']) {
    await page.getByRole('tab', { name: tab }).click();
    await expect(pageAction(page, 'Add new service account')).toBeVisible();
    await expect(pageAction(page, 'Invite member')).toBeVisible();
  }
  // Added from the Members tab, it is shown where it now is.
  await page.getByRole('tab', { name: 'Members' }).click();
  await pageAction(page, 'Add new service account').click();
  const dialog = page.getByRole('dialog', { name: 'Add new service account' });
  await dialog.getByLabel('Name').fill('billing');
  await dialog.getByRole('button', { name: 'Create' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByRole('tab', { name: 'Service Accounts' })).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByTestId('sa-row-billing')).toBeVisible();
});

test('the invite dialog starts on the Viewer role; revoking an invitation asks first', async () => {
  await page.goto(`${server.url}/orgs/${ORG.slug}/members`);
  await pageAction(page, 'Invite member').click();
  const invite = page.getByRole('dialog', { name: 'Invite member' });
  await expect(invite.getByRole('combobox', { name: 'Role' })).toHaveValue('Viewer');
  // Its ✕ has a name.
  await expect(invite.getByRole('button', { name: 'Close', exact: true })).toBeVisible();
  await invite.getByRole('textbox', { name: 'Email' }).fill('noor@acme.test');
  await invite.getByRole('button', { name: 'Create invitation' }).click();
  await expect(invite.getByRole('textbox', { name: 'Invitation link' })).toBeVisible();
  await invite.getByRole('button', { name: 'Done' }).click();
  const row = page.getByRole('row', { name: /noor@acme\.test/ });
  await expect(row).toContainText('Viewer');
  await row.getByRole('button', { name: 'Actions for noor@acme.test' }).click();
  await page.getByRole('menuitem', { name: 'Revoke invitation' }).click();
  const confirm = page.getByRole('dialog', { name: 'Revoke the invitation for noor@acme.test?' });
  // Cancel changes nothing.
  await confirm.getByRole('button', { name: 'Cancel' }).click();
  await expect(confirm).toBeHidden();
  await expect(row.getByText('pending')).toBeVisible();
  await row.getByRole('button', { name: 'Actions for noor@acme.test' }).click();
  await page.getByRole('menuitem', { name: 'Revoke invitation' }).click();
  await confirm.getByRole('button', { name: 'Revoke invitation' }).click();
  await expect(confirm).toBeHidden();
  const invitations = await api.get<{ items: { email: string; status: string }[] }>(
    `/orgs/${ORG.slug}/invitations`,
  );
  expect(invitations.items.find((i) => i.email === 'noor@acme.test')?.status ?? 'gone').not.toBe('pending');
});

test('no page of the console asks for anything that fails: the favicon is served', async () => {
  const failed: string[] = [];
  page.on('response', (r) => {
    if (r.status() >= 400) failed.push(`${r.status()} ${r.url()}`);
  });
  for (const path of ['members', 'tokens', 'tokens/hygiene', 'roles', 'audit', 'webhooks']) {
    await page.goto(`${server.url}/orgs/${ORG.slug}/${path}`);
    await expect(page.getByRole('heading', { level: 1 })).toHaveCount(1);
    await expect(page).toHaveTitle(/^[A-Z][\w ]+ · Latchkey$/);
  }
  const icon = await page.evaluate(() => document.querySelector<HTMLLinkElement>('link[rel="icon"]')?.href);
  expect(icon).toBe(`${server.url}/favicon.svg`);
  const res = await api.ctx.get('/favicon.svg');
  expect(res.status()).toBe(200);
  expect(res.headers()['content-type']).toContain('image/svg+xml');
  expect(failed).toEqual([]);
});
