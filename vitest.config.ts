import { defineConfig } from 'vitest/config';

/**
 * Two projects: everything on SQLite, and every test that touches a store again on PostgreSQL
 * (LATCHKEY_TEST_DB=postgres gives each instance a fresh schema on 127.0.0.1:5432).
 */
const storeTests = [
  'packages/server/test/http/**/*.test.ts',
  'packages/server/test/e2e/**/*.test.ts',
  'packages/server/test/integration/**/*.test.ts',
  'packages/server/test/postgres/**/*.test.ts',
  'packages/node/test/**/*.test.ts',
];

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ['default', ['json', { outputFile: '.test-results/vitest.json' }]],
    projects: [
      {
        extends: true,
        test: { name: 'sqlite', include: ['packages/*/test/**/*.test.{ts,tsx}'], exclude: ['packages/server/test/postgres/**'], sequence: { groupOrder: 0 } },
      },
      {
        extends: true,
        test: {
          name: 'postgres',
          include: storeTests,
          exclude: ['packages/server/test/postgres/faults.test.ts'],
          env: { LATCHKEY_TEST_DB: 'postgres' },
          globalSetup: ['packages/server/test/helpers/postgres-available.ts'],
          sequence: { groupOrder: 0 },
        },
      },
      {
        // Stops and restarts PostgreSQL itself: runs after every other project has finished.
        extends: true,
        test: {
          name: 'postgres-faults',
          include: ['packages/server/test/postgres/faults.test.ts'],
          env: { LATCHKEY_TEST_DB: 'postgres' },
          globalSetup: ['packages/server/test/helpers/postgres-available.ts'],
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
