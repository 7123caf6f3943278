import { expect, test } from '@playwright/test';
import { ORG, signIn } from './helpers';
import { startLatchkey } from './server';

/** An empty list says what is missing and offers the next step as a button (issue 17 item 13). */
let server: Awaited<ReturnType<typeof startLatchkey>>;
test.beforeAll(async () => {
  server = await startLatchkey((port) => `http://127.0.0.1:${port}`);
});
test.afterAll(async () => {
  await server?.stop();
});

test('each empty list offers its next step, and the step opens', async ({ page }) => {
  await signIn(page, server.url);
  const empty = page.getByTestId('empty-state');
  const base = `${server.url}/orgs/${ORG.slug}`;
  for (const [path, sentence, action, dialog] of [
    [
      '/members?tab=service-accounts',
      'No service accounts yet',
      'Add new service account',
      'Add new service account',
    ],
    ['/members?tab=invitations', 'No open invitations', 'Invite member', 'Invite member'],
    ['/tokens', 'No active tokens', 'Add Token', 'Add Token'],
  ] as const) {
    await page.goto(`${base}${path}`);
    await expect(empty).toContainText(sentence);
    await empty.getByRole('button', { name: action }).click();
    await expect(page.getByRole('dialog', { name: dialog })).toBeVisible();
    await page.keyboard.press('Escape');
    await expect(page.getByRole('dialog')).toHaveCount(0);
  }

  // Filters that match nothing: the way back is to clear them.
  await page.goto(`${base}/tokens?type=public&q=nothing-like-this`);
  await expect(empty).toContainText('No tokens match these filters.');
  await empty.getByRole('button', { name: 'Clear filters' }).click();
  await expect(empty).toContainText('No active tokens');
  await expect(page.getByRole('textbox', { name: /search/i })).toHaveValue('');
  expect(new URL(page.url()).search).toBe('');
});
