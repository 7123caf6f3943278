import type { Browser } from '@playwright/test';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCustomerPage } from '../../../../examples/customer-page/customer-page.mjs';
import { buildPlatformApi } from '../../../../examples/platform/platform-api.mjs';
import {
  createOrg,
  createServiceAccount,
  createToken,
  startInstance,
  type TestInstance,
} from '../helpers/harness.js';
import { launchChromium } from '../helpers/browser.js';

/**
 * A real browser: the customer page on an allowed origin calls the platform API with a public token and
 * succeeds; the same page on another origin (another port) is refused; an <img> works through Referer.
 */
let lk: TestInstance;
let platform: Awaited<ReturnType<typeof buildPlatformApi>>;
let allowedPage: Server;
let otherPage: Server;
let browser: Browser;
const statuses: number[] = [];

const port = (s: Server) => (s.address() as AddressInfo).port;

beforeAll(async () => {
  lk = await startInstance();
  const lkUrl = await lk.app.listen({ port: 0, host: '127.0.0.1' });
  const org = await createOrg(lk);
  const sa = await createServiceAccount(lk, org, 'storefront');
  platform = await buildPlatformApi({ latchkeyUrl: lkUrl, verifySecret: undefined, cacheTtlMs: 0 });
  platform.addHook('onResponse', async (req, reply) => {
    if (req.url.startsWith('/assets')) statuses.push(reply.statusCode);
  });
  const apiUrl = await platform.listen({ port: 0, host: '127.0.0.1' });
  // Reserve both page servers first so the allowlist can name the allowed one's origin exactly.
  allowedPage = await startCustomerPage({ apiUrl, token: 'pending' });
  const allowedOrigin = `http://127.0.0.1:${port(allowedPage)}`;
  const { token } = await createToken(lk, org, {
    serviceAccountId: sa.id,
    type: 'public',
    domains: [allowedOrigin],
  });
  allowedPage.close();
  allowedPage = await startCustomerPage({
    port: Number(new URL(allowedOrigin).port),
    apiUrl,
    token,
    title: 'Allowed shop',
  });
  otherPage = await startCustomerPage({ apiUrl, token, title: 'Other site' });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  allowedPage?.close();
  otherPage?.close();
  await platform?.close();
  await lk?.close();
});

describe('a public token in a real browser', () => {
  it('works from the allowed origin: fetch succeeds and the image loads', async () => {
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${port(allowedPage)}/`);
    await expect.poll(() => page.locator('#status').textContent(), { timeout: 10_000 }).toBe('ok');
    expect(await page.locator('#assets li').allTextContents()).toEqual(['Lounge chair', 'Desk lamp']);
    await expect.poll(() => page.locator('#img-status').textContent(), { timeout: 10_000 }).toBe('loaded');
    expect(
      await page
        .locator('#logo')
        .evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth),
    ).toBe(64);
    await page.close();
  });

  it('is refused from another origin: fetch fails and the image does not load', async () => {
    const page = await browser.newPage();
    statuses.length = 0;
    await page.goto(`http://127.0.0.1:${port(otherPage)}/`);
    await expect.poll(() => page.locator('#status').textContent(), { timeout: 10_000 }).toMatch(/^refused/);
    await expect.poll(() => page.locator('#img-status').textContent(), { timeout: 10_000 }).toBe('refused');
    expect(await page.locator('#assets li').count()).toBe(0);
    // The browser only says the requests failed; the API says why: both were refused with 403.
    expect(statuses.sort()).toEqual([403, 403]);
    await page.close();
  });
});
