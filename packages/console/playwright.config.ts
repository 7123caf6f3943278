import { defineConfig } from '@playwright/test';

/**
 * Browser tests of the console: the real server (built binary, fresh SQLite) driven in Debian's Chromium.
 * One server for the run (global setup); the walkthrough is serial because each step builds on the last.
 */
export default defineConfig({
  testDir: './e2e',
  globalSetup: './e2e/global-setup.ts',
  // Two at a time: every spec but the walkthrough starts a server of its own, and much of a spec is waiting
  // for a page (3.7 against 4.2 minutes here).
  workers: 2,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [['list'], ['json', { outputFile: '../../.test-results/playwright.json' }]],
  use: {
    viewport: { width: 1280, height: 800 },
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--disable-dev-shm-usage',
      ],
    },
    trace: 'off',
    actionTimeout: 10_000,
  },
});
