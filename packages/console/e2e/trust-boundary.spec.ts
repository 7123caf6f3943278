import { expect, test, chromium } from '@playwright/test';
import { signIn } from './helpers';
import { startLatchkey } from './server';

/**
 * The console's side of the trust boundary (issue 11), each on its own server so nothing depends on the
 * walkthrough: route parameters never steer the console to another API path, and the console works over
 * plain http on a name that is not loopback (where Chromium applies upgrade-insecure-requests).
 */

test.describe('console route parameters', () => {
  let server: Awaited<ReturnType<typeof startLatchkey>>;
  test.beforeAll(async () => {
    server = await startLatchkey((port) => `http://127.0.0.1:${port}`);
  });
  test.afterAll(async () => server.stop());

  test('an org segment with encoded slashes or dots never makes the browser request another API path', async ({
    page,
  }) => {
    const base = `http://127.0.0.1:${server.port}`;
    await signIn(page, base);
    const apiPaths: string[] = [];
    page.on('request', (r) => {
      const u = new URL(r.url());
      if (u.pathname.startsWith('/api/')) apiPaths.push(u.pathname);
    });
    // As typed into the address bar: the router decodes them to `acme/service-accounts`, `../../me`, …
    for (const org of [
      'acme%2Fservice-accounts',
      '..%2F..%2Fme',
      'acme%2F..%2F..%2Fsetup',
      '%2E%2E%2Facme',
    ]) {
      apiPaths.length = 0;
      await page.goto(`${base}/orgs/${org}/members`);
      await page.waitForLoadState('networkidle');
      const own = `/api/v1/orgs/${org.replace(/%2E/g, '.')}`;
      const orgScoped = apiPaths.filter((p) => p.startsWith('/api/v1/orgs/'));
      expect(orgScoped.length, `${org}: ${apiPaths.join(' ')}`).toBeGreaterThan(0);
      for (const p of apiPaths) {
        const fine = p === '/api/v1/me' || p === own || p.startsWith(`${own}/`);
        expect(fine, `${org} made the console request ${p} (all: ${apiPaths.join(' ')})`).toBe(true);
      }
      // The menu keeps the org as one segment too.
      await expect(page.getByRole('link', { name: 'Tokens' })).toHaveAttribute(
        'href',
        `/orgs/${org.replace(/%2E/g, '.')}/tokens`,
      );
    }
    apiPaths.length = 0;
    await page.getByRole('link', { name: 'Tokens' }).click();
    await page.waitForLoadState('networkidle');
    expect(
      apiPaths
        .filter((p) => p.startsWith('/api/v1/orgs/'))
        .every((p) => p.startsWith('/api/v1/orgs/..%2Facme/')),
      apiPaths.join(' '),
    ).toBe(true);
  });
});

test.describe('plain http on a non-loopback name', () => {
  let server: Awaited<ReturnType<typeof startLatchkey>>;
  test.beforeAll(async () => {
    server = await startLatchkey((port) => `http://console.test:${port}`);
  });
  test.afterAll(async () => server.stop());

  test('the console and /docs render, with no Content-Security-Policy violation', async () => {
    // console.test is not a potentially trustworthy origin (loopback names and addresses are): this is
    // where upgrade-insecure-requests turned every same-origin script into a failing https request.
    const browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-dev-shm-usage',
        '--host-resolver-rules=MAP console.test 127.0.0.1',
        '--disable-features=HttpsUpgrades,HttpsFirstBalancedModeAutoEnable',
      ],
    });
    try {
      const page = await browser.newPage();
      const violations: string[] = [];
      page.on('console', (m) => {
        if (/Content Security Policy|Mixed Content/i.test(m.text())) violations.push(m.text());
      });
      const failed: string[] = [];
      // ERR_ABORTED is a page navigated away from with requests in flight; anything else is a failure.
      page.on('requestfailed', (r) => {
        if (r.failure()?.errorText !== 'net::ERR_ABORTED')
          failed.push(`${r.url()} ${r.failure()?.errorText ?? ''}`);
      });
      const base = `http://console.test:${server.port}`;
      await page.goto(`${base}/login`);
      expect(
        await page.evaluate(() => window.isSecureContext),
        'the test must run on a non-trustworthy origin',
      ).toBe(false);
      await expect(page.getByRole('heading', { name: 'Sign in to Latchkey' })).toBeVisible();
      await signIn(page, base);
      await page.goto(`${base}/docs`);
      await expect(page.getByRole('heading', { name: /Latchkey management API/ })).toBeVisible();
      expect(violations).toEqual([]);
      expect(failed).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
