import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_IMPORT_BYTES, MAX_IMPORT_ROWS } from '../../src/services/token-import.js';
import { TEST_STORE } from '../helpers/database.js';
import { waitUntil } from '../helpers/wait.js';
import {
  call,
  createOrg,
  createServiceAccount,
  createToken,
  errorCode,
  login,
  startInstance,
  type Caller,
  type Org,
  type TestInstance,
} from '../helpers/harness.js';

/**
 * Issue 11, finding 13: one large import must not stall verifications. The request size is bounded
 * (413 in the error envelope), and the rows are processed in slices that yield to the event loop.
 * A loop of verifications runs while the import does and measures the worst latency it saw (p99
 * logged; on an idle machine it stays under 10 ms).
 */
let lk: TestInstance;
let org: Org;
let owner: Caller;
let valid: string;
beforeAll(async () => {
  // The verify-failure budget (finding 17) is off here: this measures the work, not the limit.
  lk = await startInstance({ LATCHKEY_VERIFY_FAILURE_LIMIT: '0' });
  org = await createOrg(lk);
  owner = await login(lk, org.ownerEmail);
  const sa = await createServiceAccount(lk, org, 'loop-sa');
  valid = (await createToken(lk, org, { serviceAccountId: sa.id })).token;
});
afterAll(() => lk.close());

let n = 0;
/** Rows of about `bytes` bytes each in JSON. */
function rows(count: number, bytes: number) {
  const pad = 'x'.repeat(Math.max(16, bytes - 120));
  return Array.from({ length: count }, () => ({
    ownerEmail: org.ownerEmail,
    name: `legacy ${(n += 1)}`,
    type: 'private',
    value: `${n}-${pad}`,
  }));
}

/**
 * Posts an import whose JSON was serialised beforehand: serialising megabytes inside the measured
 * window would stall the test's own event loop, not the server's.
 */
function postImport(json: string) {
  return lk.app.inject({
    method: 'POST',
    url: `/api/v1/orgs/${org.slug}/tokens/import`,
    headers: { ...owner.headers, 'content-type': 'application/json' },
    payload: json,
  });
}

interface Latencies {
  /** Wall-clock time each verification took (ms). */
  wall: number[];
  /**
   * How long the event loop was busy while each verification waited (ms): the smaller of two upper
   * bounds. The process's CPU time leaves out what the OS gave to other processes (a loaded machine
   * inflates wall time, not this) but counts the process's other threads too (the SQLite usage writer,
   * the garbage collector's helpers: 110 ms of it inside 57 ms of wall time was seen); the event loop's
   * active time counts only this thread, but with the time the OS took it away.
   */
  cpu: number[];
}

/** Runs `work` while verifying a valid token back to back. */
async function latencyDuring(work: () => Promise<void>): Promise<Latencies> {
  const seen: Latencies = { wall: [], cpu: [] };
  let done = false;
  const loop = (async () => {
    while (!done) {
      const t0 = performance.now();
      const c0 = process.cpuUsage();
      const e0 = performance.eventLoopUtilization();
      const res = await lk.app.inject({ method: 'POST', url: '/api/v1/verify', payload: { token: valid } });
      const c = process.cpuUsage(c0);
      const e = performance.eventLoopUtilization(e0);
      seen.wall.push(performance.now() - t0);
      seen.cpu.push(Math.min((c.user + c.system) / 1000, e.active));
      expect(res.json().code).toBe('valid');
    }
  })();
  // The import starts once the loop is going (and has warmed the cache).
  await waitUntil(() => seen.wall.length >= 3, 10_000);
  try {
    await work();
  } finally {
    done = true;
    await loop;
  }
  return seen;
}

const p99 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.99)] ?? 0;
const max = (xs: number[]) => Math.max(...xs);
const report = (l: Latencies) =>
  `${l.wall.length} verifications, wall p99 ${p99(l.wall).toFixed(2)} ms / max ${max(l.wall).toFixed(2)} ms, ` +
  `busy p99 ${p99(l.cpu).toFixed(2)} ms / max ${max(l.cpu).toFixed(2)} ms`;
/**
 * The bounds: the event loop is never busy for 100 ms while a verification waits (before: ~900 ms
 * for one 7 MB dry run), and wall time stays under a bound generous enough for a loaded machine.
 */
function expectNoStall(l: Latencies) {
  expect(l.wall.length).toBeGreaterThan(1);
  expect(max(l.cpu)).toBeLessThan(100);
  expect(max(l.wall)).toBeLessThan(500);
}

describe('a large import does not stall verifications', () => {
  it('a 7 MB import is refused with 413 payload_too_large in the error envelope, without stalling verify', async () => {
    const big = JSON.stringify({ dryRun: true, tokens: rows(22_000, 380) });
    expect(Buffer.byteLength(big)).toBeGreaterThan(7 * 1024 * 1024);
    let res: Awaited<ReturnType<typeof postImport>> | undefined;
    const latencies = await latencyDuring(async () => {
      res = await postImport(big);
    });
    expect(res!.statusCode, res!.body.slice(0, 300)).toBe(413);
    expect(errorCode(res!)).toBe('payload_too_large');
    expect(res!.json().error.requestId).toEqual(expect.any(String));
    console.info(`[finding 13] ${TEST_STORE}: 7 MB import refused: ${report(latencies)}`);
    expectNoStall(latencies);
  });

  it('more rows than allowed are refused', async () => {
    const res = await call(lk, owner, 'POST', `/api/v1/orgs/${org.slug}/tokens/import`, {
      dryRun: true,
      tokens: rows(MAX_IMPORT_ROWS + 1, 130),
    });
    expect(res.statusCode, res.body.slice(0, 300)).toBe(400);
    expect(errorCode(res)).toBe('validation_failed');
  });

  it.each([true, false])(
    `the largest import allowed (dryRun: %s) keeps verify latency low`,
    async (dryRun) => {
      const body = JSON.stringify({
        dryRun,
        tokens: rows(MAX_IMPORT_ROWS, Math.floor((MAX_IMPORT_BYTES * 0.9) / MAX_IMPORT_ROWS)),
      });
      const size = Buffer.byteLength(body);
      expect(size).toBeLessThan(MAX_IMPORT_BYTES);
      expect(size).toBeGreaterThan(MAX_IMPORT_BYTES * 0.8);
      let res: Awaited<ReturnType<typeof postImport>> | undefined;
      const started = performance.now();
      const latencies = await latencyDuring(async () => {
        res = await postImport(body);
      });
      expect(res!.statusCode, res!.body.slice(0, 300)).toBe(dryRun ? 200 : 201);
      expect(res!.json()).toMatchObject({ valid: true, imported: dryRun ? 0 : MAX_IMPORT_ROWS });
      console.info(
        `[finding 13] ${TEST_STORE} import of ${MAX_IMPORT_ROWS} rows (${(size / 1024 / 1024).toFixed(2)} MB, dryRun ${dryRun}) took ` +
          `${(performance.now() - started).toFixed(0)} ms: ${report(latencies)}`,
      );
      expectNoStall(latencies);
    },
  );
});
