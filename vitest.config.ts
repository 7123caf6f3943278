import { defineConfig } from 'vitest/config';
import { PG_ADMIN_URL, postgresReachable } from './packages/server/test/helpers/database.js';

/**
 * Projects: everything on SQLite, and every test that touches a store again on PostgreSQL
 * (LATCHKEY_TEST_DB=postgres gives each instance a fresh schema on 127.0.0.1:5432). The fault tests stop
 * and restart PostgreSQL, so they run after everything else.
 */

const storeTests = [
  'packages/server/test/http/**/*.test.ts',
  'packages/server/test/e2e/**/*.test.ts',
  'packages/server/test/integration/**/*.test.ts',
  'packages/server/test/postgres/**/*.test.ts',
  'packages/server/test/security/**/*.test.ts',
  'packages/server/test/store/**/*.test.ts',
  'packages/node/test/**/*.test.ts',
];
const pgSetup = ['packages/server/test/helpers/postgres-available.ts'];
/**
 * Tests that bound event-loop stalls and memory: each runs in a fresh process (isolate: true), not in a
 * worker whose heap has grown through the files before it, where garbage collection alone can pass their
 * bounds (a 110 ms stall against a 100 ms bound, once, in a fresh-clone CI run).
 */
const freshProcess = [
  'packages/server/test/security/import-event-loop.test.ts',
  'packages/server/test/verify/token-flood.test.ts',
];

const SQLITE = {
  extends: true,
  test: {
    name: 'sqlite',
    include: ['packages/*/test/**/*.test.{ts,tsx}'],
    exclude: ['packages/server/test/postgres/**', 'packages/console/test/**', ...freshProcess],
    sequence: { groupOrder: 0 },
  },
};
const SQLITE_FRESH = {
  extends: true,
  test: { name: 'sqlite-fresh', include: freshProcess, isolate: true, sequence: { groupOrder: 0 } },
};
/** The console's component tests (jsdom), with the per-file DOM set-up and clean-up. */
const CONSOLE = {
  extends: true,
  test: {
    name: 'console',
    include: ['packages/console/test/**/*.test.{ts,tsx}'],
    setupFiles: ['packages/console/test/setup-dom.ts'],
    sequence: { groupOrder: 0 },
  },
};
/**
 * The verification tests again through Fastify's own router instead of the hot path in front of it
 * (src/http/hot-handler.ts; see routeInjectThroughServerEntry in the harness): both entries must pass
 * the same assertions while they coexist. hot-path-parity.test.ts compares them answer by answer.
 */
const FASTIFY_ENTRY = {
  extends: true,
  test: {
    name: 'fastify-entry',
    include: [
      'packages/server/test/http/verification.test.ts',
      'packages/server/test/http/forward-auth-trust.test.ts',
      'packages/server/test/http/abuse-limits.test.ts',
      'packages/server/test/http/client-address.test.ts',
      'packages/server/test/http/redaction.test.ts',
    ],
    env: { LATCHKEY_TEST_ENTRY: 'fastify' },
    sequence: { groupOrder: 0 },
  },
};
const POSTGRES = {
  extends: true,
  test: {
    name: 'postgres',
    include: storeTests,
    // faults: its own project, last; workers-processes: start-up and processes, the same on any store;
    // pack: the published packages against a server on its own SQLite file, the same on any store;
    // cli-admin and cli-webhooks: the CLI's parsing, output and exit codes against a server, a process per
    // command (over a minute each) — the API they call runs on both stores in test/http.
    exclude: [
      'packages/server/test/postgres/faults.test.ts',
      'packages/server/test/e2e/workers-processes.test.ts',
      'packages/node/test/pack.test.ts',
      'packages/server/test/e2e/cli-admin.test.ts',
      'packages/server/test/e2e/cli-webhooks.test.ts',
      ...freshProcess,
    ],
    env: { LATCHKEY_TEST_DB: 'postgres' },
    globalSetup: pgSetup,
    sequence: { groupOrder: 0 },
  },
};
const POSTGRES_FRESH = {
  extends: true,
  test: {
    name: 'postgres-fresh',
    // token-flood is in test/verify, which the postgres project does not run either.
    include: freshProcess.filter((f) => f.includes('/security/')),
    isolate: true,
    env: { LATCHKEY_TEST_DB: 'postgres' },
    globalSetup: pgSetup,
    sequence: { groupOrder: 0 },
  },
};
const POSTGRES_FAULTS = {
  extends: true,
  test: {
    name: 'postgres-faults',
    include: ['packages/server/test/postgres/faults.test.ts'],
    env: { LATCHKEY_TEST_DB: 'postgres' },
    globalSetup: pgSetup,
    sequence: { groupOrder: 1 },
  },
};

export default defineConfig(async () => {
  const runPostgres = process.env.CI ? true : await postgresReachable(PG_ADMIN_URL, 2000);
  if (!runPostgres) {
    console.warn(
      `\n*** The PostgreSQL half of the suite is SKIPPED: no PostgreSQL at ${PG_ADMIN_URL}. CI runs it; start PostgreSQL to run it here. ***\n`,
    );
  }
  return {
    test: {
      // A worker runs its files one after another in one module graph instead of a fresh one per file:
      // importing the server for each of ~300 file runs cost over two minutes of the CI run (708 s → 479 s
      // for the whole suite). Every file starts its own instances and stores, so nothing else is shared; a
      // file that changes process-wide state (timers, env) must restore it, as each already does.
      isolate: false,
      // Two files at a time, not Vitest's default of CPUs − 1 (one, here): most files wait on spawned servers,
      // PostgreSQL or timers, so a second one fits beside them (the Vitest run: 495 s → 371 s on 2 cores).
      // The stall and memory bounds run in processes of their own (freshProcess, above).
      maxWorkers: 2,
      testTimeout: 30_000,
      hookTimeout: 60_000,
      reporters: ['default', ['json', { outputFile: '.test-results/vitest.json' }]],
      projects: runPostgres
        ? [SQLITE, SQLITE_FRESH, CONSOLE, FASTIFY_ENTRY, POSTGRES, POSTGRES_FRESH, POSTGRES_FAULTS]
        : [SQLITE, SQLITE_FRESH, CONSOLE, FASTIFY_ENTRY],
    },
  };
});
