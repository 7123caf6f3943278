// Starting the built `latchkey serve` from a benchmark, optionally as a cluster (`--workers N`).
// bench/run.mjs starts its servers with the environment it is given, so `LATCHKEY_WORKERS=2 npm run bench`
// already runs them with two workers each; this helper is for scripts that want to say so explicitly.
import { spawn } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const LATCHKEY_BIN = join(
  resolve(dirname(fileURLToPath(import.meta.url)), '..'),
  'packages/server/bin/latchkey.js',
);

/** The arguments of `latchkey serve` for `workers` processes (1: a single process, no cluster). */
export function serveArgs(workers = 1) {
  return workers > 1 ? ['serve', '--workers', String(workers)] : ['serve'];
}

/**
 * Spawns `latchkey serve` and resolves once `url/healthz` answers and the banner is printed, with the child
 * and everything it wrote so far (`output()`).
 */
export async function startLatchkeyServer({ env = {}, workers = 1, port, timeoutMs = 30_000 }) {
  const child = spawn(process.execPath, [LATCHKEY_BIN, ...serveArgs(workers)], {
    env: { ...process.env, LOG_LEVEL: 'warn', ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`latchkey exited (${child.exitCode}): ${out}`);
    try {
      if ((await fetch(`${url}/healthz`)).ok && out.includes('Latchkey is running at')) break;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`latchkey did not start: ${out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { url, child, output: () => out };
}
