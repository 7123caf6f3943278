// Revocation across the workers of one `latchkey serve --workers 2` on SQLite: how long after a revoke
// returns can some worker still answer `valid`? Usage: `npm run build && node bench/revocation-latency.mjs
// [--revocations 60] [--workers 2]`. Not a test: it prints figures.
//
// Each round creates a token, verifies it over fresh connections until every worker has it cached (the
// cluster-wide cache metric rises by one per worker), revokes it through the API, then keeps verifying
// over fresh connections (8 at a time) for 250 ms. The stale window of a round is how long after the
// revoke returned the last `valid` answer was sent (0 when there was none). Fresh connections are
// spread over the workers by the primary, so every round samples every worker many times.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LATCHKEY_BIN, startLatchkeyServer } from './latchkey-process.mjs';
import { freePort } from './lib/processes.mjs';

const args = Object.fromEntries(
  process.argv
    .slice(2)
    .map((a, i, all) => (a.startsWith('--') ? [a.slice(2), all[i + 1]] : null))
    .filter(Boolean),
);
const ROUNDS = Math.max(50, Number(args.revocations ?? 60));
const WORKERS = Number(args.workers ?? 2);
const WATCH_MS = 250;

function verifyFresh(url, token) {
  const sentAt = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(
      `${url}/api/v1/verify`,
      { method: 'POST', agent: false, headers: { 'content-type': 'application/json', connection: 'close' } },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c) => (body += c));
        res.on('end', () => {
          const parsed = JSON.parse(body);
          resolve({ code: parsed.code ?? `${res.statusCode} ${body}`, sentAt });
        });
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify({ token }));
  });
}

async function cachedTokens(url) {
  const text = await (await fetch(`${url}/metrics`)).text();
  return Number(/^latchkey_verify_cache_entries\{kind="known"\} (\d+)/m.exec(text)?.[1] ?? NaN);
}

const percentile = (sorted, p) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

const dir = mkdtempSync(join(tmpdir(), 'latchkey-revocation-'));
const env = { DATABASE_URL: `sqlite:${join(dir, 'latchkey.db')}` };
let server;
try {
  const boot = JSON.parse(
    execFileSync(
      process.execPath,
      [
        LATCHKEY_BIN,
        'bootstrap',
        '--org',
        'bench',
        '--email',
        'owner@bench.test',
        '--password-stdin',
        '--admin-token',
      ],
      {
        env: { ...process.env, ...env },
        input: 'bench password 1',
      },
    ).toString(),
  );
  server = await startLatchkeyServer({ env, workers: WORKERS, port: await freePort() });
  const api = async (method, path, body) => {
    const headers = {
      authorization: `Bearer ${boot.token}`,
      ...(body ? { 'content-type': 'application/json' } : {}),
    };
    const res = await fetch(`${server.url}/api/v1/orgs/bench${path}`, {
      method,
      headers,
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
    return text ? JSON.parse(text) : null;
  };
  const sa = await api('POST', '/service-accounts', { name: 'revocations' });

  const windows = [];
  /** Answers other than valid and token_revoked (none expected), by answer. */
  const others = new Map();
  let staleAnswers = 0;
  let answers = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const created = await api('POST', '/tokens', {
      name: `r${round}`,
      type: 'private',
      serviceAccountId: sa.id,
    });
    const before = await cachedTokens(server.url);
    const warmUntil = performance.now() + 20_000;
    while ((await cachedTokens(server.url)) < before + WORKERS) {
      if (performance.now() > warmUntil) throw new Error('the token did not get cached on every worker');
      await Promise.all(Array.from({ length: 4 }, () => verifyFresh(server.url, created.token)));
    }
    await api('DELETE', `/tokens/${created.item.id}`);
    const revokedAt = performance.now();
    let last = 0;
    while (performance.now() - revokedAt < WATCH_MS) {
      for (const a of await Promise.all(
        Array.from({ length: 8 }, () => verifyFresh(server.url, created.token)),
      )) {
        answers += 1;
        if (a.code === 'valid') {
          staleAnswers += 1;
          last = Math.max(last, a.sentAt - revokedAt);
        } else if (a.code !== 'token_revoked') others.set(a.code, (others.get(a.code) ?? 0) + 1);
      }
    }
    windows.push(last);
  }
  windows.sort((a, b) => a - b);
  const f = (ms) => `${ms.toFixed(2)} ms`;
  console.log(
    `revocation → refused by every worker (${WORKERS} workers, SQLite, ${ROUNDS} revocations, ${answers} verifications after the revokes)`,
  );
  console.log(
    `  stale window after the revoke returned: p50 ${f(percentile(windows, 50))}, p99 ${f(percentile(windows, 99))}, max ${f(windows.at(-1))}`,
  );
  console.log(
    `  rounds with any stale 'valid' answer: ${windows.filter((w) => w > 0).length}; stale answers: ${staleAnswers}`,
  );
  // For bench/run.mjs: one JSON line last.
  if (args.json !== undefined || process.argv.includes('--json')) {
    console.log(
      JSON.stringify({
        runs: ROUNDS,
        p50: percentile(windows, 50),
        p99: percentile(windows, 99),
        max: windows.at(-1),
        staleAnswers,
        unexpected: [...others],
      }),
    );
  }
  if (others.size > 0) {
    console.log(`  UNEXPECTED answers: ${JSON.stringify([...others])}`);
    console.log(`  server output (warnings and errors):\n${server.output()}`);
  }
} finally {
  server?.child.kill('SIGTERM');
  if (server) await new Promise((r) => server.child.once('exit', r));
  rmSync(dir, { recursive: true, force: true });
}
