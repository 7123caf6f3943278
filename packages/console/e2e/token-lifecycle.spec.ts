import { expect, test, type Locator, type Page } from '@playwright/test';
import { ORG, ownerApi, screenshot, signIn } from './helpers';
import { startLatchkey } from './server';

/**
 * Issue 14 in the console: rotate (on first use, at a time, now), suspend/resume, report leaked with a
 * one-click replacement. On a server of its own; serial, because each step continues with the token the
 * step before left.
 */
test.describe.configure({ mode: 'serial' });

type Api = Awaited<ReturnType<typeof ownerApi>>;
interface TokenView {
  id: string;
  status: string;
  previousSecret: { hint: string } | null;
}

let server: Awaited<ReturnType<typeof startLatchkey>>;
let api: Api;
let page: Page;
let privateId: string;
/** The private token's values, oldest first. */
const values: string[] = [];

test.beforeAll(async ({ browser }) => {
  server = await startLatchkey((port) => `http://127.0.0.1:${port}`);
  api = await ownerApi(server.url);
  const sa = await api.post<{ id: string }>(`/orgs/${ORG.slug}/service-accounts`, { name: 'billing' });
  const created = await api.post<{ token: string; item: TokenView }>(`/orgs/${ORG.slug}/tokens`, {
    name: 'billing sync',
    serviceAccountId: sa.id,
    type: 'private',
  });
  privateId = created.item.id;
  values.push(created.token);
  await api.post(`/orgs/${ORG.slug}/tokens`, {
    name: 'storefront',
    serviceAccountId: sa.id,
    type: 'public',
    domains: ['https://shop.example.com'],
  });
  page = await browser.newPage();
  await signIn(page, server.url);
});
test.afterAll(async () => {
  await page?.close();
  await api?.ctx.dispose();
  await server?.stop();
});

/** What POST /verify answers for a value (no origin: the private token's case). */
async function verify(token: string): Promise<string> {
  const res = await api.ctx.post('/api/v1/verify', { data: { token } });
  expect(res.status(), await res.text()).toBe(200);
  return ((await res.json()) as { code: string }).code;
}
const tokenNow = () => api.get<TokenView>(`/orgs/${ORG.slug}/tokens/${privateId}`);

const row = (name: string) => page.getByTestId(`token-row-${name}`);
async function rowAction(name: string, action: string): Promise<void> {
  await page.getByRole('button', { name: `Actions for ${name}` }).click();
  await page.getByRole('menuitem', { name: action }).click();
}
/** A button among the token page's actions. */
const pageAction = (name: string) =>
  page.getByRole('group', { name: 'Token actions' }).getByRole('button', { name });
async function openTokensPage(): Promise<void> {
  await page.getByRole('link', { name: 'Tokens', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Tokens' })).toBeVisible();
}
/** The reveal dialog's value, after checking it warns that it is shown once; closes the dialog. */
async function takeRevealed(dialog: Locator, prefix: RegExp): Promise<string> {
  await expect(dialog).toContainText('will not be shown again');
  await expect(dialog.getByRole('button', { name: 'Copy token' })).toBeVisible();
  const value = (await dialog.getByTestId('revealed-token').textContent())!;
  expect(value).toMatch(prefix);
  await dialog.getByRole('button', { name: 'Copy token' }).click();
  await dialog.getByRole('button', { name: 'Done' }).click();
  await expect(dialog).toBeHidden();
  // Shown once: nowhere on the page once the dialog is closed.
  expect(await page.content()).not.toContain(value);
  return value;
}

test('rotate on first use: the new value is shown once and the old one retires when the new one is used', async () => {
  await openTokensPage();
  await rowAction('billing sync', 'Rotate token');
  const dialog = page.getByRole('dialog', { name: 'Rotate billing sync' });
  // A private token: on first use is the default, and recommended.
  await expect(
    dialog.getByRole('radio', { name: /On first use of the new value \(recommended\)/ }),
  ).toBeChecked();
  await expect(dialog.getByRole('combobox', { name: 'At the latest after' })).toHaveValue('1 day');
  await expect(dialog).toContainText('For a private token, used by your own back end: on first use.');
  await screenshot(page, '14-rotate-token');
  await dialog.getByRole('button', { name: 'Rotate' }).click();

  const reveal = page.getByRole('dialog', { name: 'New value for billing sync' });
  await expect(reveal).toContainText('retires on first use of the new value (at the latest');
  const fresh = await takeRevealed(reveal, /^lk_prv_/);
  expect(fresh).not.toBe(values[0]);
  values.push(fresh);
  await expect(row('billing sync').getByTestId('previous-value')).toContainText(
    'retires on first use of the new value',
  );

  // The token page says when the previous value retires, while it still works.
  await row('billing sync').getByRole('link', { name: 'billing sync' }).click();
  await expect(page.getByRole('heading', { name: 'billing sync' })).toBeVisible();
  const previous = page.getByTestId('previous-value');
  await expect(previous).toContainText(
    /Previous value .+ retires on first use of the new value \(at the latest .+\)/,
  );
  await screenshot(page, '15-token-page-rotation');
  expect(await verify(values[0]!)).toBe('valid');

  // The new value's first use retires the old one; the page no longer mentions it.
  expect(await verify(fresh)).toBe('valid');
  await expect.poll(async () => (await tokenNow()).previousSecret).toBeNull();
  await page.reload();
  await expect(page.getByRole('heading', { name: 'billing sync' })).toBeVisible();
  await expect(previous).toHaveCount(0);
  expect(await verify(values[0]!)).toBe('token_rotated');
  // Its history shows the rotation and the old value's retirement, newest first.
  const history = page.getByRole('table', { name: 'Token history' });
  await expect(history.getByRole('row').nth(1)).toContainText('token.retire_secret');
  await expect(history.getByRole('row').nth(2)).toContainText('token.rotate');
  await expect(history).toContainText('token.create');
  await page.getByRole('link', { name: 'All of it in the audit log' }).click();
  await expect(page.getByRole('textbox', { name: 'Filter by object id' })).toHaveValue(/^tok_/);
  await page.goBack();
});

test('rotate now: the value it replaces stops working at once', async () => {
  await pageAction('Rotate token').click();
  const dialog = page.getByRole('dialog', { name: 'Rotate billing sync' });
  await dialog.getByRole('radio', { name: 'Now' }).check();
  await dialog.getByRole('button', { name: 'Rotate' }).click();
  const reveal = page.getByRole('dialog', { name: 'New value for billing sync' });
  await expect(reveal).toContainText('The previous value has stopped working.');
  values.push(await takeRevealed(reveal, /^lk_prv_/));
  await expect(page.getByTestId('previous-value')).toHaveCount(0);
  expect(await verify(values[1]!)).toBe('token_rotated');
  expect(await verify(values[2]!)).toBe('valid');
});

test('a public token is rotated at a chosen time, which the token page shows', async () => {
  await openTokensPage();
  await rowAction('storefront', 'Rotate token');
  const dialog = page.getByRole('dialog', { name: 'Rotate storefront' });
  // A public token: at a time after the deploy is the default, and recommended.
  await expect(dialog.getByRole('radio', { name: /At a time you choose \(recommended\)/ })).toBeChecked();
  await expect(dialog).toContainText(
    'For a public token, embedded in web pages: at a time after your deploy.',
  );
  const at = dialog.getByLabel('Old value stops working at');
  await at.fill('2000-01-01T00:00');
  await expect(dialog).toContainText('Choose a time in the future');
  await expect(dialog.getByRole('button', { name: 'Rotate' })).toBeDisabled();
  const later = new Date(Date.now() + 2 * 86_400_000);
  const pad = (n: number) => String(n).padStart(2, '0');
  await at.fill(
    `${later.getFullYear()}-${pad(later.getMonth() + 1)}-${pad(later.getDate())}T${pad(later.getHours())}:00`,
  );
  await dialog.getByRole('button', { name: 'Rotate' }).click();
  const reveal = page.getByRole('dialog', { name: 'New value for storefront' });
  await expect(reveal.getByTestId('revealed-token')).toHaveText(/^lk_pub_/);
  await reveal.getByRole('button', { name: 'Done' }).click();
  await row('storefront').getByRole('link', { name: 'storefront' }).click();
  await expect(page.getByTestId('previous-value')).toContainText(/Previous value .+ retires at /);
});

test('suspend asks first, marks the token suspended and refuses it; resume makes it active again', async () => {
  await openTokensPage();
  await rowAction('billing sync', 'Suspend');
  const confirm = page.getByRole('dialog', { name: 'Suspend billing sync?' });
  await expect(confirm).toContainText('refused (token_suspended) until you resume it');
  await confirm.getByRole('button', { name: 'Suspend' }).click();
  await expect(confirm).toBeHidden();
  // Success is announced: a toast is an ARIA alert.
  await expect(page.getByRole('alert').filter({ hasText: 'billing sync suspended.' })).toBeVisible();
  await expect(row('billing sync').getByTestId('token-status')).toHaveText('suspended');
  expect(await verify(values[2]!)).toBe('token_suspended');

  // Resumed from the token page (no confirmation needed).
  await row('billing sync').getByRole('link', { name: 'billing sync' }).click();
  await expect(page.getByText(/every request with this token is refused \(token_suspended\)/)).toBeVisible();
  await pageAction('Resume').click();
  await expect(page.getByRole('alert').filter({ hasText: 'billing sync resumed.' })).toBeVisible();
  await expect(page.getByTestId('token-status')).toHaveCount(0);
  await expect(pageAction('Suspend')).toBeVisible();
  expect((await tokenNow()).status).toBe('active');
  expect(await verify(values[2]!)).toBe('valid');
});

test('report leaked revokes at once, marks it compromised, and offers a replacement with the same settings', async () => {
  await pageAction('Report leaked').click();
  const dialog = page.getByRole('dialog', { name: 'Report billing sync leaked' });
  await expect(dialog).toContainText('This revokes the token at once');
  await dialog.getByLabel('Where was it found?').fill('https://gist.example.com/leaked');
  await dialog.getByLabel('Note').fill('pasted in a public gist');
  await screenshot(page, '16-report-leaked');
  await dialog.getByRole('button', { name: 'Revoke and report leaked' }).click();
  await expect(dialog).toContainText('Revoked and marked compromised');
  expect(await verify(values[2]!)).toBe('token_revoked');

  await dialog.getByRole('button', { name: 'Create replacement' }).click();
  const reveal = page.getByRole('dialog', { name: 'Replacement for billing sync' });
  const replacement = await takeRevealed(reveal, /^lk_prv_/);
  expect(await verify(replacement)).toBe('valid');

  // The leaked token's page: revoked, compromised, with where and why; nothing left to do to it.
  await expect(page.getByTestId('token-status')).toHaveText('revoked');
  await expect(page.getByTestId('token-compromised')).toHaveText('compromised');
  const details = page.getByTestId('compromised-details');
  await expect(details).toContainText('https://gist.example.com/leaked');
  await expect(details).toContainText('pasted in a public gist');
  await expect(page.getByText('A revoked token cannot be changed.')).toBeVisible();
  await expect(page.getByRole('group', { name: 'Token actions' })).toHaveCount(0);

  // The list: the replacement is active under the same name; the leaked one is under Revoked.
  await openTokensPage();
  await expect(row('billing sync')).toHaveCount(1);
  await expect(row('billing sync').getByTestId('token-status')).toHaveCount(0);
  await page.getByRole('combobox', { name: 'Status' }).click();
  await page.getByRole('option', { name: 'Revoked' }).click();
  await expect(row('billing sync').getByTestId('token-compromised')).toBeVisible();
  await page.getByRole('button', { name: 'Actions for billing sync' }).click();
  for (const action of ['Rotate token', 'Suspend', 'Report leaked', 'Revoke'])
    await expect(page.getByRole('menuitem', { name: action })).toBeDisabled();
  await page.keyboard.press('Escape');
});
