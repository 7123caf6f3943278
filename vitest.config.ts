import pg from 'pg';
import { defineConfig } from 'vitest/config';

/**
 * Projects: everything on SQLite, and every test that touches a store again on PostgreSQL
 * (LATCHKEY_TEST_DB=postgres gives each instance a fresh schema on 127.0.0.1:5432). The fault tests stop
 * and restart PostgreSQL, so they run after everything else.
 */
const PG_URL = process.env.LATCHKEY_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

const storeTests = [
  'packages/server/test/http/**/*.test.ts',
  'packages/server/test/e2e/**/*.test.ts',
  'packages/server/test/integration/**/*.test.ts',
  'packages/server/test/postgres/**/*.test.ts',
  'packages/server/test/security/**/*.test.ts',
  'packages/node/test/**/*.test.ts',
];
const pgSetup = ['packages/server/test/helpers/postgres-available.ts'];

const SQLITE = {
  extends: true,
  test: { name: 'sqlite', include: ['packages/*/test/**/*.test.{ts,tsx}'], exclude: ['packages/server/test/postgres/**'], sequence: { groupOrder: 0 } },
};
const POSTGRES = {
  extends: true,
  test: {
    name: 'postgres',
    include: storeTests,
    exclude: ['packages/server/test/postgres/faults.test.ts'],
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

/** Is PostgreSQL there? Under CI it must be: the projects stay in and fail loudly if it is not. */
async function postgresReachable(): Promise<boolean> {
  const c = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 2000 });
  try {
    await c.connect();
    return true;
  } catch {
    return false;
  } finally {
    await c.end().catch(() => undefined);
  }
}

export default defineConfig(async () => {
  const runPostgres = process.env.CI ? true : await postgresReachable();
  if (!runPostgres) {
    console.warn(`\n*** The PostgreSQL half of the suite is SKIPPED: no PostgreSQL at ${PG_URL}. CI runs it; start PostgreSQL to run it here. ***\n`);
  }
  return {
    test: {
      testTimeout: 30_000,
      hookTimeout: 60_000,
      reporters: ['default', ['json', { outputFile: '.test-results/vitest.json' }]],
      projects: runPostgres ? [SQLITE, POSTGRES, POSTGRES_FAULTS] : [SQLITE],
    },
  };
});
