// A/B of the verification hot path between two builds of Latchkey on this machine:
//   node bench/ab.mjs --base /path/to/other/checkout [--candidate .] [--rounds 5] [--duration 5] [--connections 50]
//   [--only forward-auth]   (measure only the rows whose label contains this text)
//   [--rotated previous|current]   (the candidate's token is rotated first, its old value kept verifying for a
//   day; the candidate is measured with that old value or the new one: the cost of a previous secret)
// Both checkouts must be built (`npm run build`). Each server runs pinned to CPU 0 and wrk to CPU 1 (taskset);
// rounds alternate base, candidate, base, … per measurement, and the table gives the median, the spread
// (min–max) of requests/second, and the server's own CPU time per request (from /proc/<pid>/stat), which a
// noisy neighbour disturbs far less than requests/second. Not a test: it prints figures.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const args = Object.fromEntries(
  process.argv
    .slice(2)
    .map((a, i, all) => (a.startsWith('--') ? [a.slice(2), all[i + 1]] : null))
    .filter(Boolean),
);
if (!args.base) {
  console.error(
    'usage: node bench/ab.mjs --base <checkout> [--candidate <checkout>] [--rounds 5] [--duration 5]',
  );
  process.exit(2);
}
const BUILDS = { base: resolve(args.base), candidate: resolve(args.candidate ?? '.') };
const ROUNDS = Number(args.rounds ?? 5);
const DURATION = Number(args.duration ?? 5);
const CONNECTIONS = Number(args.connections ?? 50);
const TICKS = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
const dir = mkdtempSync(join(tmpdir(), 'latchkey-ab-'));
const children = new Set();
process.on('exit', () => {
  children.forEach((c) => c.kill('SIGKILL'));
  rmSync(dir, { recursive: true, force: true });
});

const freePort = () =>
  new Promise((res) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });

async function waitFor(url) {
  for (let i = 0; i < 400; i++) {
    try {
      await fetch(url);
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  throw new Error(`not up: ${url}`);
}

/** CPU seconds (user + system) the process has used so far. */
function cpuSeconds(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS;
}

/** Bootstraps an org with an admin token on a fresh SQLite file, then serves it pinned to CPU 0. */
async function startBuild(name, root) {
  const env = { ...process.env, DATABASE_URL: `sqlite:${join(dir, `${name}.db`)}`, LOG_LEVEL: 'warn' };
  const bin = join(root, 'packages/server/bin/latchkey.js');
  const out = execFileSync(
    process.execPath,
    [bin, 'bootstrap', '--org', 'bench', '--email', 'owner@bench.test', '--password-stdin', '--admin-token'],
    { env, input: 'bench password 123\n' },
  );
  const token = JSON.parse(out.toString()).token;
  const port = await freePort();
  const child = spawn('taskset', ['-c', '0', process.execPath, bin, 'serve'], {
    env: { ...env, PORT: String(port) },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  children.add(child);
  const url = `http://127.0.0.1:${port}`;
  await waitFor(`${url}/healthz`);
  return { name, url, token, pid: child.pid };
}

function luaFor(kind, token) {
  const file = join(dir, `${kind}-${token.slice(-6)}.lua`);
  const body = JSON.stringify({ token, permission: 'tokens:view' });
  writeFileSync(
    file,
    kind === 'verify'
      ? `wrk.method = "POST"\nwrk.body = '${body}'\nwrk.headers["Content-Type"] = "application/json"\n`
      : `wrk.method = "GET"\nwrk.headers["Authorization"] = "Bearer ${token}"\n`,
  );
  return file;
}

function wrk(url, script) {
  const out = execFileSync(
    'taskset',
    [
      '-c',
      '1',
      'wrk',
      '-t',
      '1',
      '-c',
      String(CONNECTIONS),
      '-d',
      `${DURATION}s`,
      '--latency',
      '-s',
      script,
      url,
    ],
    { encoding: 'utf8' },
  );
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? 0);
  const requests = Number(/(\d+) requests in/.exec(out)?.[1] ?? 0);
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0);
  return { rps, requests, non2xx };
}

/** Rotates the server's token (itself, retire=at in a day); answers the value to measure with. */
async function rotated(s, which) {
  const res = await fetch(`${s.url}/api/v1/orgs/bench/tokens/self/rotate`, {
    method: 'POST',
    headers: { authorization: `Bearer ${s.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ retire: 'at', at: new Date(Date.now() + 86_400_000).toISOString() }),
  });
  if (res.status !== 201) throw new Error(`${s.name}: rotate answered ${res.status} ${await res.text()}`);
  const { token } = await res.json();
  return which === 'current' ? token : s.token;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const servers = {};
for (const [name, root] of Object.entries(BUILDS)) servers[name] = await startBuild(name, root);
if (args.rotated) servers.candidate.token = await rotated(servers.candidate, args.rotated);
const measurements = {
  'POST /api/v1/verify': (s) => [`${s.url}/api/v1/verify`, luaFor('verify', s.token)],
  'GET /api/v1/forward-auth': (s) => [
    `${s.url}/api/v1/forward-auth?permission=tokens:view`,
    luaFor('fa', s.token),
  ],
};
const results = {};
for (const [label, target] of Object.entries(measurements)) {
  if (args.only && !label.includes(args.only)) continue;
  for (const s of Object.values(servers)) wrk(...target(s)); // warm-up, not counted
  for (let round = 0; round < ROUNDS; round++) {
    // Alternate which build goes first, so a drift in the machine's speed hits both alike.
    const order = round % 2 === 0 ? ['base', 'candidate'] : ['candidate', 'base'];
    for (const name of order) {
      const s = servers[name];
      const before = cpuSeconds(s.pid);
      const r = wrk(...target(s));
      const cpuUs = ((cpuSeconds(s.pid) - before) * 1e6) / Math.max(1, r.requests);
      if (r.non2xx > 0) throw new Error(`${name} ${label}: ${r.non2xx} non-2xx answers`);
      ((results[label] ??= {})[name] ??= []).push({ rps: r.rps, cpuUs });
    }
  }
}

console.log(
  `\nA/B, ${ROUNDS} interleaved rounds of ${DURATION} s, ${CONNECTIONS} connections; server on CPU 0, wrk on CPU 1`,
);
console.log(
  `base: ${BUILDS.base}\ncandidate: ${BUILDS.candidate}${args.rotated ? ` (its token rotated; measured with the ${args.rotated} value)` : ''}\n`,
);
console.log(
  '| measurement | build | req/s median | req/s min–max | CPU µs/request median | candidate ÷ base |',
);
console.log('| --- | --- | ---: | ---: | ---: | ---: |');
for (const [label, byBuild] of Object.entries(results)) {
  const base = median(byBuild.base.map((r) => r.rps));
  for (const name of ['base', 'candidate']) {
    const rps = byBuild[name].map((r) => r.rps);
    const cpu = median(byBuild[name].map((r) => r.cpuUs));
    const ratio = name === 'candidate' ? `${(median(rps) / base).toFixed(2)} ×` : '';
    console.log(
      `| ${label} | ${name} | ${Math.round(median(rps)).toLocaleString('en')} | ${Math.round(Math.min(...rps)).toLocaleString('en')}–${Math.round(Math.max(...rps)).toLocaleString('en')} | ${cpu.toFixed(1)} | ${ratio} |`,
    );
  }
}
process.exit(0);
