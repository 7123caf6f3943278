import { expect, test, type Locator, type Page } from '@playwright/test';
import { addMember, ORG, OWNER, ownerApi, screenshot, signIn } from './helpers';
import { startLatchkey } from './server';

/**
 * Settings → Token hygiene: the report of live tokens worth a look, filtered by reason, and the bulk actions
 * (one request, all or nothing). On a server of its own, seeded through the API with tokens that hit the
 * reasons that need no time to pass: a disabled service account, people's (imported) tokens, an http://
 * origin, private tokens that never expire. Serial: each step continues with what the one before left.
 */
test.describe.configure({ mode: 'serial' });

type Api = Awaited<ReturnType<typeof ownerApi>>;
interface TokenView {
  id: string;
  name: string;
  status: string;
  domains: string[];
  expiresAt: string | null;
}

const VIEWER = { email: 'vera@acme.test', password: 'a viewer password, long enough', name: 'Vera' };

let server: Awaited<ReturnType<typeof startLatchkey>>;
let api: Api;
let page: Page;
/** Token ids by name. */
const ids = new Map<string, string>();

test.beforeAll(async ({ browser }) => {
  server = await startLatchkey((port) => `http://127.0.0.1:${port}`);
  api = await ownerApi(server.url);
  const shop = await api.post<{ id: string }>(`/orgs/${ORG.slug}/service-accounts`, { name: 'web-shop' });
  const old = await api.post<{ id: string }>(`/orgs/${ORG.slug}/service-accounts`, { name: 'old-app' });
  const create = async (name: string, serviceAccountId: string, domains?: string[]) => {
    const { item } = await api.post<{ item: TokenView }>(`/orgs/${ORG.slug}/tokens`, {
      name,
      serviceAccountId,
      type: domains ? 'public' : 'private',
      ...(domains ? { domains } : {}),
    });
    ids.set(name, item.id);
  };
  // Fine as it is: https only (a public token has no expiry finding).
  await create('storefront', shop.id, ['https://shop.example.com']);
  // Private, never expiring.
  await create('billing sync', shop.id);
  await create('nightly export', shop.id);
  await create('reports api', shop.id);
  // Of a service account that is then disabled.
  await create('retired widget', old.id);
  const disabled = await api.ctx.patch(`/api/v1/orgs/${ORG.slug}/service-accounts/${old.id}`, {
    data: { disabled: true },
    headers: await csrfHeader(),
  });
  expect(disabled.status(), await disabled.text()).toBe(200);
  // People's tokens from the old system: one private, one public still allowed from an http:// page.
  const imported = await api.post<{ rows: { tokenId?: string }[] }>(`/orgs/${ORG.slug}/tokens/import`, {
    tokens: [
      {
        ownerEmail: OWNER.email,
        name: 'old integration',
        type: 'private',
        value: '3f9a1c7e-legacy-key-0002',
      },
      {
        ownerEmail: OWNER.email,
        name: 'old widget',
        type: 'public',
        value: '8b2e4d6f-legacy-widget-0003',
        domains: ['http://shop.example.com', 'https://www.example.com'],
      },
    ],
  });
  ids.set('old integration', imported.rows[0]!.tokenId!);
  ids.set('old widget', imported.rows[1]!.tokenId!);

  page = await browser.newPage();
  await signIn(page, server.url);
});
test.afterAll(async () => {
  await page?.close();
  await api?.ctx.dispose();
  await server?.stop();
});

/** The CSRF header for a write `ownerApi` has no helper for (GET /me hands out the token). */
async function csrfHeader(): Promise<Record<string, string>> {
  const me = await api.get<{ csrfToken: string }>('/me');
  return { 'x-csrf-token': me.csrfToken };
}
const tokenNow = (name: string) => api.get<TokenView>(`/orgs/${ORG.slug}/tokens/${ids.get(name)!}`);
async function verify(token: string): Promise<string> {
  const res = await api.ctx.post('/api/v1/verify', { data: { token } });
  expect(res.status(), await res.text()).toBe(200);
  return ((await res.json()) as { code: string }).code;
}

const row = (name: string) => page.getByTestId(`hygiene-row-${name}`);
const rows = () => page.getByRole('table', { name: 'Tokens to tidy' }).locator('tbody tr');
const toolbar = () => page.getByRole('toolbar', { name: 'Bulk actions' });
const findings = (name: string) => row(name).getByTestId('finding');
/** The filter chip for a reason (its label starts with the reason's words, then the count). */
const chip = (label: string) => page.getByRole('radio', { name: new RegExp(`^${escape(label)} · \\d+$`) });
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
async function filterBy(label: string): Promise<void> {
  await page
    .getByRole('radiogroup', { name: 'Filter by reason' })
    .locator('label', { hasText: new RegExp(`^${escape(label)} · `) })
    .click();
  await expect(chip(label)).toBeChecked();
}
const select = (name: string) => page.getByRole('checkbox', { name: `Select ${name}` });
async function bulk(action: string): Promise<void> {
  await toolbar().getByRole('button', { name: action, exact: true }).click();
}
async function openHygienePage(): Promise<void> {
  await page.getByRole('link', { name: 'Token hygiene' }).click();
  await expect(page.getByRole('heading', { name: 'Token hygiene' })).toBeVisible();
  // The menu marks this entry as the current page, not Tokens (whose path is a prefix of it).
  await expect(page.getByRole('link', { name: 'Token hygiene' })).toHaveAttribute('aria-current', 'page');
  await expect(page.getByRole('link', { name: 'Tokens', exact: true })).not.toHaveAttribute(
    'aria-current',
    'page',
  );
}

test('the report counts tokens by reason and lists each with its findings and the action it suggests', async () => {
  await openHygienePage();
  await expect(chip('All')).toBeChecked();
  await expect(page.getByRole('radio', { name: 'All · 6' })).toBeAttached();
  for (const [label, count] of [
    ['Service account disabled', 1],
    ['Never used', 0],
    ['Unused for 90+ days', 0],
    ['Owned by a person', 2],
    ['Allows http:// origins', 1],
    ['Secret older than 365 days', 0],
    ['Never expires', 5],
  ] as const)
    await expect(page.getByRole('radio', { name: `${label} · ${count}` })).toBeAttached();
  // A reason no token has is not a filter to pick.
  await expect(chip('Never used')).toBeDisabled();

  await expect(rows()).toHaveCount(6);
  await expect(row('storefront')).toHaveCount(0); // https only: nothing to tidy
  await expect(findings('retired widget')).toHaveText(['Service account disabled', 'Never expires']);
  await expect(row('retired widget').getByTestId('suggested-action')).toHaveText('Revoke');
  await expect(findings('old widget')).toHaveText(['Owned by a person', 'Allows http:// origins']);
  await expect(row('old widget').getByTestId('suggested-action')).toHaveText('Reassign to a service account');
  await expect(row('old widget').getByTestId('hygiene-owner')).toContainText('person');
  await expect(findings('billing sync')).toHaveText(['Never expires']);
  await expect(row('billing sync').getByTestId('suggested-action')).toHaveText('Set an expiry');
  await expect(row('billing sync')).toContainText('never');

  // The name opens the token's page.
  await row('billing sync').getByRole('link', { name: 'billing sync' }).click();
  await expect(page.getByRole('heading', { name: 'billing sync' })).toBeVisible();
  await page.goBack();
  await expect(page.getByRole('heading', { name: 'Token hygiene' })).toBeVisible();

  // The "unused" threshold is the report's to change: the labels follow it.
  await page.getByRole('textbox', { name: 'Unused after (days)' }).fill('30');
  await expect(page.getByRole('radio', { name: 'Unused for 30+ days · 0' })).toBeAttached();
  await page.getByRole('textbox', { name: 'Unused after (days)' }).fill('');
  await expect(page.getByRole('radio', { name: 'Unused for 90+ days · 0' })).toBeAttached();

  // Selecting rows offers the bulk actions; the ones their findings suggest stand out.
  await expect(toolbar()).toContainText('Select tokens to act on several at once');
  await expect(toolbar().getByRole('button', { name: 'Revoke', exact: true })).toBeDisabled();
  await select('retired widget').check();
  await select('old widget').check();
  await expect(page.getByTestId('selection-count')).toHaveText('2 tokens selected');
  await expect(toolbar().getByRole('button', { name: 'Use https' })).toBeEnabled();
  // Checking a box may have scrolled the page: the screenshot starts at the title, the pointer out of the way.
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.mouse.move(0, 0);
  await screenshot(page, '17-token-hygiene');
  await toolbar().getByRole('button', { name: 'Clear selection' }).click();
  await expect(select('old widget')).not.toBeChecked();
});

test('a reason filters the rows; select all selects the rows shown', async () => {
  await filterBy('Owned by a person');
  await expect(rows()).toHaveCount(2);
  await expect(page.getByTestId('reason-why')).toContainText('leaves with them');
  await page.getByRole('checkbox', { name: 'Select all shown tokens' }).check();
  await expect(page.getByTestId('selection-count')).toHaveText('2 tokens selected');
  await expect(select('old integration')).toBeChecked();

  // A narrower filter keeps only the rows it still shows selected.
  await filterBy('Allows http:// origins');
  await expect(rows()).toHaveCount(1);
  await expect(select('old widget')).toBeChecked();
  await expect(page.getByTestId('selection-count')).toHaveText('1 token selected');
  await filterBy('Owned by a person');
  await expect(select('old integration')).not.toBeChecked();
  await toolbar().getByRole('button', { name: 'Clear selection' }).click();
  // Use https applies only to tokens with an http:// origin.
  await select('old integration').check();
  await expect(toolbar().getByRole('button', { name: 'Use https' })).toBeDisabled();
  await toolbar().getByRole('button', { name: 'Clear selection' }).click();
});

test('use https moves the http:// origin to https://, and the finding goes', async () => {
  await filterBy('Allows http:// origins');
  await page.getByRole('checkbox', { name: 'Select all shown tokens' }).check();
  await bulk('Use https');
  const dialog = page.getByRole('dialog', { name: 'Switch 1 token to https://?' });
  await expect(dialog).toContainText('old widget: http://shop.example.com → https://shop.example.com');
  await dialog.getByRole('button', { name: 'Switch 1 token' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByRole('status')).toHaveText('1 token switched to https://.');
  await expect(page.getByText('No token has this finding any more.')).toBeVisible();
  await expect(page.getByRole('radio', { name: 'Allows http:// origins · 0' })).toBeAttached();

  await filterBy('All');
  await expect(findings('old widget')).toHaveText(['Owned by a person']);
  expect((await tokenNow('old widget')).domains).toEqual([
    'https://shop.example.com',
    'https://www.example.com',
  ]);
});

test('a refusal names the token, changes nothing and keeps the selection', async () => {
  await filterBy('Never expires');
  await select('billing sync').check();
  await select('nightly export').check();
  // Someone else revokes one of them meanwhile.
  await api.post(`/orgs/${ORG.slug}/tokens/bulk`, { action: 'revoke', ids: [ids.get('nightly export')] });

  await bulk('Set expiry');
  const dialog = page.getByRole('dialog', { name: 'Set an expiry on 2 tokens' });
  await expect(dialog.getByLabel('Expires at')).not.toHaveValue('');
  await dialog.getByRole('button', { name: 'Set expiry on 2 tokens' }).click();
  await expect(dialog.getByRole('alert')).toContainText(/^nightly export: .+Nothing was changed\.$/);
  expect((await tokenNow('billing sync')).expiresAt).toBeNull();
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(dialog).toBeHidden();
  // The revoked token has left the (refreshed) report; the other is still selected, to try again.
  await expect(row('nightly export')).toHaveCount(0);
  await expect(select('billing sync')).toBeChecked();
  await expect(page.getByTestId('selection-count')).toHaveText('1 token selected');

  await bulk('Set expiry');
  const again = page.getByRole('dialog', { name: 'Set an expiry on 1 token' });
  await again.getByRole('button', { name: 'Set expiry on 1 token' }).click();
  await expect(again).toBeHidden();
  await expect(page.getByRole('status')).toHaveText('1 token given an expiry.');
  await expect(row('billing sync')).toHaveCount(0);
  expect((await tokenNow('billing sync')).expiresAt).not.toBeNull();
});

test('rotate shows each new value once, with a copy button', async () => {
  await select('reports api').check();
  await bulk('Rotate');
  const dialog = page.getByRole('dialog', { name: 'Rotate 1 token' });
  await expect(
    dialog.getByRole('radio', { name: /On first use of the new value \(recommended for private tokens\)/ }),
  ).toBeChecked();
  await expect(dialog.getByRole('combobox', { name: 'At the latest after' })).toHaveValue('1 day');
  await dialog.getByRole('button', { name: 'Rotate 1 token' }).click();

  const reveal = page.getByRole('dialog', { name: 'New values for 1 token' });
  await expect(reveal).toContainText('shown once and will not be shown again');
  await expect(reveal.getByRole('button', { name: 'Copy the new value of reports api' })).toBeVisible();
  const value = (await reveal.getByTestId('new-value-reports api').getByTestId('new-value').textContent())!;
  expect(value).toMatch(/^lk_prv_/);
  await reveal.getByRole('button', { name: 'Done' }).click();
  await expect(reveal).toBeHidden();
  expect(await page.content()).not.toContain(value);
  expect(await verify(value)).toBe('valid');
  // Rotating leaves its expiry alone: still in the report, for that.
  await expect(findings('reports api')).toHaveText(['Never expires']);
});

test('revoke asks first, saying how many tokens', async () => {
  await filterBy('Service account disabled');
  await page.getByRole('checkbox', { name: 'Select all shown tokens' }).check();
  await bulk('Revoke');
  const dialog = page.getByRole('dialog', { name: 'Revoke 1 token?' });
  await expect(dialog).toContainText('This revokes 1 token: it stops working at once');
  await expect(dialog.getByRole('list', { name: 'The token' })).toHaveText('retired widget');
  await dialog.getByRole('button', { name: 'Revoke 1 token' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByText('No token has this finding any more.')).toBeVisible();
  expect((await tokenNow('retired widget')).status).toBe('revoked');
});

test('reassign moves a person’s token to a service account, keeping its permissions by default', async () => {
  await filterBy('Owned by a person');
  await select('old integration').check();
  await bulk('Reassign');
  const dialog = page.getByRole('dialog', { name: 'Reassign 1 token' });
  await expect(dialog.getByRole('radio', { name: /Keep what each token can do now/ })).toBeChecked();
  const confirm = dialog.getByRole('button', { name: 'Reassign 1 token' });
  await expect(confirm).toBeDisabled(); // no service account chosen yet
  await dialog.getByRole('combobox', { name: 'Service account' }).click();
  // Only active service accounts: old-app is disabled.
  await expect(page.getByRole('option')).toHaveText([/^web-shop · /]);
  await page.getByRole('option', { name: 'web-shop' }).click();
  await confirm.click();
  await expect(dialog).toBeHidden();
  await expect(row('old integration')).toHaveCount(0);
  await filterBy('All');
  await expect(findings('old integration')).toHaveText(['Never expires']);
  await expect(row('old integration').getByTestId('hygiene-owner')).toHaveText('web-shop');
});

test('a viewer sees the report, without checkboxes or bulk actions', async ({ browser }) => {
  await addMember(api, server.url, VIEWER, 'Viewer');

  const ctx = await browser.newContext();
  const viewer = await ctx.newPage();
  await viewer.goto(`${server.url}/login`);
  await viewer.getByRole('textbox', { name: 'Email', exact: true }).fill(VIEWER.email);
  await viewer.getByRole('textbox', { name: 'Password', exact: true }).fill(VIEWER.password);
  await viewer.getByRole('button', { name: 'Sign in' }).click();
  await viewer.getByRole('link', { name: 'Token hygiene' }).click();
  await expect(viewer.getByRole('heading', { name: 'Token hygiene' })).toBeVisible();
  await expect(viewer.getByTestId('hygiene-row-old widget')).toBeVisible();
  await expect(viewer.getByRole('checkbox')).toHaveCount(0);
  await expect(viewer.getByRole('toolbar', { name: 'Bulk actions' })).toHaveCount(0);
  await ctx.close();
});

test('once every finding is dealt with, there is nothing to tidy', async () => {
  await page.getByRole('checkbox', { name: 'Select all shown tokens' }).check();
  await expect(page.getByTestId('selection-count')).toHaveText('3 tokens selected');
  await bulk('Set expiry');
  await confirmIn(page.getByRole('dialog', { name: 'Set an expiry on 3 tokens' }), 'Set expiry on 3 tokens');
  // What is left: the person's public token.
  await expect(rows()).toHaveCount(1);
  await select('old widget').check();
  await bulk('Reassign');
  const dialog = page.getByRole('dialog', { name: 'Reassign 1 token' });
  await dialog.getByRole('combobox', { name: 'Service account' }).click();
  await page.getByRole('option', { name: 'web-shop' }).click();
  await confirmIn(dialog, 'Reassign 1 token');
  await expect(page.getByTestId('empty-state')).toContainText('Nothing to tidy');
  await expect(toolbar()).toHaveCount(0);
});

async function confirmIn(dialog: Locator, button: string): Promise<void> {
  await dialog.getByRole('button', { name: button }).click();
  await expect(dialog).toBeHidden();
}
