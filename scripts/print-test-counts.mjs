// Prints "N passed, N failed" from the test runners' JSON reports (the CI reader parses neither
// Vitest's nor Playwright's summary). A missing report counts as a failure: that runner did not finish.
import { existsSync, readFileSync } from 'node:fs';

const reports = [
  {
    name: 'vitest',
    file: '.test-results/vitest.json',
    read: (r) => ({
      passed: r.numPassedTests ?? 0,
      // A suite that failed to load has no failed tests of its own: count it as one failure.
      failed:
        (r.numFailedTests ?? 0) +
        (r.testResults ?? []).filter((s) => s.status === 'failed' && (s.assertionResults ?? []).length === 0)
          .length,
      skipped: (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0),
    }),
  },
  {
    name: 'playwright',
    file: '.test-results/playwright.json',
    read: (r) => ({
      passed: (r.stats?.expected ?? 0) + (r.stats?.flaky ?? 0),
      failed: (r.stats?.unexpected ?? 0) + (r.errors ?? []).length,
      skipped: r.stats?.skipped ?? 0,
    }),
  },
];

let passed = 0;
let failed = 0;
let skipped = 0;
for (const { name, file, read } of reports) {
  if (!existsSync(file)) {
    console.error(`no ${name} report at ${file}: that part of the suite did not run to the end`);
    failed += 1;
    continue;
  }
  const counts = read(JSON.parse(readFileSync(file, 'utf8')));
  passed += counts.passed;
  failed += counts.failed;
  skipped += counts.skipped;
}
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
if (passed === 0 || failed > 0) process.exit(1);
