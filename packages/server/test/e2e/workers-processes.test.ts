import { describe, expect, it } from 'vitest';
import { waitUntil } from '../helpers/cluster.js';
import { createTestDatabase } from '../helpers/database.js';
import { runCli, startServer } from '../helpers/process.js';

/**
 * `latchkey serve --workers`: start-up and the processes themselves, which do not depend on the store
 * (SQLite only; the postgres project leaves this file out, see vitest.config.ts). Revocation, usage and
 * shutdown on both stores: workers.test.ts.
 */

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Worker pids from the primary's `worker started` log lines (LOG_LEVEL=info). */
function workerPids(output: string): number[] {
  const pids: number[] = [];
  for (const line of output.split('\n')) {
    if (!line.startsWith('{')) continue;
    const entry = JSON.parse(line) as { msg?: string; workerPid?: number };
    if (entry.msg === 'worker started' && entry.workerPid) pids.push(entry.workerPid);
  }
  return pids;
}

describe('serve --workers: start-up and processes (store-independent)', () => {
  it('refuses a bad --workers or LATCHKEY_WORKERS with a clear message and exit code 2', async () => {
    const env = { DATABASE_URL: 'sqlite::memory:' };
    for (const bad of ['0', '257', 'many', '1.5']) {
      const r = await runCli(['serve', '--workers', bad], env);
      expect(r.code, `--workers ${bad}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(
        /Invalid configuration[\s\S]*LATCHKEY_WORKERS \(workers, --workers\): must be an integer from 1 to 256, or auto/,
      );
    }
    const fromEnv = await runCli(['serve'], { ...env, LATCHKEY_WORKERS: 'all' });
    expect(fromEnv.code).toBe(2);
    expect(fromEnv.stderr).toMatch(/LATCHKEY_WORKERS.*got "all"/);
  });

  it('re-forks a crashed worker, and leaves no worker behind when the primary is killed', async () => {
    const database = await createTestDatabase('file');
    const server = await startServer({ DATABASE_URL: database.url, LOG_LEVEL: 'info' }, ['--workers', '2']);
    const pids: number[] = [];
    try {
      const first = workerPids(server.output());
      expect(first, server.output()).toHaveLength(2);
      pids.push(...first);
      process.kill(first[0]!, 'SIGKILL');
      await waitUntil(async () => workerPids(server.output()).length === 3, 15_000, 50);
      expect(server.output()).toMatch(/worker exited unexpectedly: starting a new one/);
      const replacement = workerPids(server.output())[2]!;
      pids.push(replacement);
      // The replacement serves: wait until its listening line is there and the service answers.
      await waitUntil(
        async () =>
          (await fetch(`${server.url}/healthz`)).ok && server.output().includes(`"pid":${replacement},`),
        15_000,
        50,
      );

      server.child.kill('SIGKILL');
      const gone = await waitUntil(
        async () => [first[1]!, replacement].every((pid) => !alive(pid)),
        15_000,
        50,
      );
      console.log(`[workers] both workers exited ${gone.toFixed(0)} ms after the primary was killed`);
    } finally {
      for (const pid of pids) if (alive(pid)) process.kill(pid, 'SIGKILL');
      await database.drop();
    }
  }, 90_000);
});
