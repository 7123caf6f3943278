// Prints "N passed, N failed" from Vitest's JSON report (the CI reader does not parse Vitest's summary).
import { readFileSync } from 'node:fs';

const file = process.argv[2] ?? '.test-results/vitest.json';
let report;
try {
  report = JSON.parse(readFileSync(file, 'utf8'));
} catch {
  console.log('0 passed, 1 failed');
  console.error(`no test report at ${file}: the test run did not complete`);
  process.exit(1);
}
const passed = report.numPassedTests ?? 0;
// A suite that failed to load has no failed tests of its own: count it as one failure.
const failed = (report.numFailedTests ?? 0) + (report.testResults ?? []).filter((s) => s.status === "failed" && (s.assertionResults ?? []).length === 0).length;
const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
if (passed === 0 || failed > 0 || report.success === false) process.exit(1);
