// Latchkey benchmark: `npm run bench` (node bench/run.mjs [--rounds 5] [--seconds 5] [--connections 50]
// [--mix-tokens 1000000] [--only http,restrictions,nginx,workers,mix-sqlite,mix-postgres] [--skip-postgres]).
//
// Every row of issue #12's goal table, each next to its baseline from the same run. Servers are pinned to
// CPU 0 and wrk to CPU 1 (taskset) unless a row says otherwise; the contenders of a row run in interleaved
// rounds (A, B, C, then C, B, A, …), and each figure is the median of the rounds with the spread (min–max).
// CPU µs per request comes from the server's own CPU counters (/proc, the process and its workers), which a
// noisy neighbour disturbs far less than requests/second. Writes bench/RESULTS.md. Not a test: it prints
// figures; nothing here passes or fails.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { seedPostgres, seedSqlite } from './lib/seed.mjs';
import { freePort, root, startLatchkey, startNginx, startScript, stop, waitFor } from './lib/processes.mjs';
import { interleave, summary } from './lib/rounds.mjs';
import { getScript, postScript, wrk } from './lib/wrk.mjs';

const args = Object.fromEntries(
  process.argv
    .slice(2)
    .map((a, i, all) =>
      a.startsWith('--')
        ? [a.slice(2), all[i + 1]?.startsWith('--') ? 'true' : (all[i + 1] ?? 'true')]
        : null,
    )
    .filter(Boolean),
);
const ROUNDS = Number(args.rounds ?? 5);
const SECONDS = Number(args.seconds ?? 5);
const CONNECTIONS = Number(args.connections ?? 50);
const MIX_TOKENS = Number(args['mix-tokens'] ?? 1_000_000);
const ONLY = args.only ? new Set(args.only.split(',')) : null;
const runs = (section) => !ONLY || ONLY.has(section);
const here = join(root, 'bench');
const dir = mkdtempSync(join(tmpdir(), 'latchkey-bench-'));
const started = Date.now();
const PG_URL = process.env.LATCHKEY_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

const fmt = (n, d = 0) =>
  Number.isFinite(n)
    ? n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d })
    : '–';
const table = [];
/** One line of the results: a contender's rounds summarised, and its ratio to the row's baseline. */
function row(goalRow, measurement, rounds, { baseline, goal = '', note = '' } = {}) {
  const rps = summary(rounds, 'rps');
  const p99 = summary(rounds, 'p99');
  const cpu = summary(rounds, 'cpuUs');
  const ratio = baseline ? rps.median / summary(baseline, 'rps').median : NaN;
  const line = { goalRow, measurement, rps, p99, cpu, ratio, goal, note };
  table.push(line);
  console.log(
    `${goalRow.padEnd(4)} ${measurement.padEnd(62)} ${fmt(rps.median).padStart(7)} req/s (${fmt(rps.min)}–${fmt(rps.max)})  p99 ${fmt(p99.median, 2)} ms  ${Number.isFinite(cpu.median) ? `${fmt(cpu.median, 1)} µs CPU/req` : ''}${baseline ? `  ${fmt(ratio, 2)}×` : ''}${note ? `  ${note}` : ''}`,
  );
  for (const r of rounds) if (r.non2xx > 0) console.log(`     ! ${r.non2xx} non-2xx answers in a round`);
}
function note(goalRow, measurement, value, goal) {
  table.push({ goalRow, measurement, text: value, goal });
  console.log(`${goalRow.padEnd(4)} ${measurement.padEnd(62)} ${value}`);
}

/** A fresh SQLite database with an org and its admin token, made by the CLI as an operator would. */
function bootstrapSqlite(name) {
  const env = { ...process.env, DATABASE_URL: `sqlite:${join(dir, `${name}.db`)}`, LOG_LEVEL: 'warn' };
  const out = execFileSync(
    process.execPath,
    [
      join(root, 'packages/server/bin/latchkey.js'),
      'bootstrap',
      '--org',
      'bench',
      '--email',
      'owner@bench.test',
      '--password-stdin',
      '--admin-token',
    ],
    { env, input: 'bench password 123\n' },
  );
  return { databaseUrl: env.DATABASE_URL, token: JSON.parse(out.toString()).token };
}

async function latchkey(env, cpu = '0') {
  const port = await freePort();
  const child = startLatchkey({ ...env, PORT: String(port) }, cpu);
  await waitFor(`http://127.0.0.1:${port}/healthz`);
  return { child, pid: child.pid, url: `http://127.0.0.1:${port}` };
}
async function script(name, env = {}, cpu = '0') {
  const port = await freePort();
  const child = startScript(join(here, name), { ...env, PORT: String(port) }, cpu);
  await waitFor(`http://127.0.0.1:${port}/`);
  return { child, pid: child.pid, url: `http://127.0.0.1:${port}` };
}
const load = (server, path, luaScript, extra = {}) => ({
  pid: server.pid,
  run: () =>
    wrk(`${server.url}${path}`, { seconds: SECONDS, connections: CONNECTIONS, script: luaScript, ...extra }),
});

try {
  // ---- rows 1–3: the hot entry points against bare Fastify and raw node:http, one CPU each ----
  if (runs('http')) {
    console.log(
      `\n[http] ${ROUNDS} interleaved rounds of ${SECONDS} s, ${CONNECTIONS} connections; server on CPU 0, wrk on CPU 1`,
    );
    const db = bootstrapSqlite('http');
    const lk = await latchkey({ DATABASE_URL: db.databaseUrl });
    const bare = await script('bare-fastify.mjs');
    const raw = await script('raw-http.mjs', { LK_TOKEN: db.token });
    const post = postScript(dir, 'verify', { token: db.token, permission: 'tokens:view' });
    const get = getScript(dir, 'forward-auth', { authorization: `Bearer ${db.token}` });
    const v = interleave(
      { bare: load(bare, '/', post), latchkey: load(lk, '/api/v1/verify', post), raw: load(raw, '/', post) },
      ROUNDS,
    );
    row('1', 'bare Fastify POST route (JSON body)', v.bare);
    row('1', 'raw node:http POST: parse, hash, lookup, prepared answer', v.raw, { baseline: v.bare });
    row('1', 'POST /api/v1/verify, private token + permission', v.latchkey, {
      baseline: v.bare,
      goal: '≥ 1.0× bare POST',
    });
    const f = interleave(
      {
        bare: load(bare, '/', get),
        latchkey: load(lk, '/api/v1/forward-auth?permission=tokens:view', get),
        raw: load(raw, '/', get),
      },
      ROUNDS,
    );
    row('2', 'bare Fastify GET route', f.bare);
    row('2', 'raw node:http GET: header, hash, lookup, identity headers', f.raw, { baseline: f.bare });
    row('2', 'GET /api/v1/forward-auth?permission=…, private token', f.latchkey, {
      baseline: f.bare,
      goal: '≥ 1.0× bare GET',
    });
    note(
      '3',
      'CPU µs per verification over HTTP (verify / forward-auth)',
      `${fmt(summary(v.latchkey, 'cpuUs').median, 1)} / ${fmt(summary(f.latchkey, 'cpuUs').median, 1)} µs (raw node:http floor ${fmt(summary(v.raw, 'cpuUs').median, 1)} / ${fmt(summary(f.raw, 'cpuUs').median, 1)}; bare Fastify ${fmt(summary(v.bare, 'cpuUs').median, 1)} / ${fmt(summary(f.bare, 'cpuUs').median, 1)})`,
      '≤ 15 µs',
    );
    for (const s of [lk, bare, raw]) await stop(s.child);
  }

  // ---- issue 15: what a token's restrictions cost on the verify path ----
  if (runs('restrictions')) {
    console.log(
      `\n[restrictions] ${ROUNDS} interleaved rounds of ${SECONDS} s; server on CPU 0, wrk on CPU 1`,
    );
    const db = bootstrapSqlite('restrictions');
    const lk = await latchkey({ DATABASE_URL: db.databaseUrl });
    // Ten ranges, the client's in the last: the most a check walks for a listed address.
    const ranges = [...Array.from({ length: 9 }, (_, i) => `10.${i}.0.0/16`), '203.0.113.0/24'];
    const fenced = await benchToken(lk, db.token, { name: 'fenced', allowedIps: ranges });
    const plain = await benchToken(lk, db.token, { name: 'plain' });
    // A limit the load never reaches: every answer is an allow, counted and carrying the window's state.
    const limited = await benchToken(lk, db.token, {
      name: 'limited',
      allowedIps: ranges,
      rateLimits: [
        { name: 'burst', limit: 1_000_000_000, windowSeconds: 1 },
        { name: 'daily', limit: 1_000_000_000, windowSeconds: 86_400 },
      ],
    });
    const metered = await benchToken(lk, db.token, {
      name: 'metered',
      quota: { limit: 1_000_000_000_000, refill: null },
    });
    const body = (token) => ({ token, permission: 'tokens:view', ip: '203.0.113.7' });
    const r = interleave(
      {
        plain: load(lk, '/api/v1/verify', postScript(dir, 'plain', body(plain))),
        fenced: load(lk, '/api/v1/verify', postScript(dir, 'fenced', body(fenced))),
        limited: load(lk, '/api/v1/verify', postScript(dir, 'limited', body(limited))),
        metered: load(lk, '/api/v1/verify', postScript(dir, 'metered', body(metered))),
      },
      ROUNDS,
    );
    row('15', 'POST /api/v1/verify, private token without restrictions (body with ip)', r.plain);
    row('15', 'the same token with an IP allowlist of 10 ranges, the address in the last', r.fenced, {
      baseline: r.plain,
      goal: 'within 10 % (≥ 0.90×)',
    });
    row('15', 'with that allowlist and two rate-limit windows (1 s and a day, never reached)', r.limited, {
      baseline: r.plain,
      goal: 'within 10 % (≥ 0.90×)',
    });
    row('15', 'with a quota instead (one conditional database write per verification)', r.metered, {
      baseline: r.plain,
      goal: 'measured, no goal: exactness costs a write',
    });
    await stop(lk.child);
  }

  // ---- row 4: nginx auth_request with the shipped snippets, nothing pinned (2 cores shared by all) ----
  if (runs('nginx')) {
    console.log(
      `\n[nginx] ${ROUNDS} interleaved rounds; nginx, Latchkey, the upstream and wrk share both CPUs`,
    );
    const db = bootstrapSqlite('nginx');
    const lk = await latchkey({ DATABASE_URL: db.databaseUrl }, null);
    const up = await script('bare-fastify.mjs', {}, null);
    const port = await freePort();
    const ng = startNginx(dir, nginxConf(port, new URL(lk.url).port, new URL(up.url).port));
    await waitFor(`http://127.0.0.1:${port}/plain/x`);
    const get = getScript(dir, 'nginx', { authorization: `Bearer ${db.token}` });
    const nginx = { url: `http://127.0.0.1:${port}` };
    const n = interleave(
      {
        plain: load(nginx, '/plain/x', get, { cpu: null }),
        auth: load(nginx, '/auth/x', get, { cpu: null }),
        cached: load(nginx, '/cached/x', get, { cpu: null }),
      },
      ROUNDS,
    );
    row('4', 'nginx → upstream', n.plain);
    row('4', 'nginx + auth_request → Latchkey → same upstream (shipped snippets)', n.auth, {
      baseline: n.plain,
      goal: '≥ 0.60×',
    });
    row('4', 'the same with the optional 1 s micro-cache of allow answers (off by default)', n.cached, {
      baseline: n.plain,
      note: 'a revoked token may pass for up to ~2 s',
    });
    await stop(ng);
    await stop(lk.child);
    await stop(up.child);
  }

  // ---- rows 5–6: workers ----
  if (runs('workers')) {
    console.log(
      `\n[workers] 1 worker vs 2, both pinned to CPU 0 (CPU µs per verification: the cost of the cluster), wrk on CPU 1`,
    );
    const db = bootstrapSqlite('workers');
    const one = await latchkey({ DATABASE_URL: db.databaseUrl });
    const two = await latchkey({ DATABASE_URL: db.databaseUrl, LATCHKEY_WORKERS: '2' });
    const post = postScript(dir, 'workers', { token: db.token, permission: 'tokens:view' });
    const w = interleave(
      { one: load(one, '/api/v1/verify', post), two: load(two, '/api/v1/verify', post) },
      ROUNDS,
    );
    row('5', 'POST /api/v1/verify, 1 worker (no cluster)', w.one);
    row('5', 'POST /api/v1/verify, 2 workers on the same CPU', w.two, {
      baseline: w.one,
      note: `CPU µs ratio ${fmt(summary(w.two, 'cpuUs').median / summary(w.one, 'cpuUs').median, 2)}×`,
    });
    note(
      '5',
      '2 workers vs 1 worker, CPU µs per verification',
      `${fmt(summary(w.two, 'cpuUs').median / summary(w.one, 'cpuUs').median, 2)}×`,
      'no worse than 1.05×',
    );
    await stop(one.child);
    await stop(two.child);
    try {
      const out = execFileSync(process.execPath, [join(here, 'revocation-latency.mjs'), '--json'], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      const r = JSON.parse(out.trim().split('\n').pop());
      note(
        '6',
        `revocation seen by every worker (SQLite, 2 workers, ${r.runs} revocations; \`node bench/revocation-latency.mjs\`)`,
        `stale window after the revoke returned: p50 ${fmt(r.p50, 1)} ms, p99 ${fmt(r.p99, 1)} ms, max ${fmt(r.max, 1)} ms; ${r.staleAnswers} stale answers${r.unexpected.length ? `; UNEXPECTED ${JSON.stringify(r.unexpected)}` : ''}`,
        '< 50 ms p99',
      );
    } catch (err) {
      note(
        '6',
        'revocation seen by every worker',
        `not measured: ${String(err.message).split('\n')[0]}`,
        '< 50 ms p99',
      );
    }
  }

  // ---- rows 7–8: many tokens, Zipf popularity, cache that fits and cache at 100 k ----
  for (const store of ['sqlite', 'postgres']) {
    if (!runs(`mix-${store}`) || (store === 'postgres' && (args['skip-postgres'] || !(await pgAvailable()))))
      continue;
    console.log(`\n[mix-${store}] seeding ${fmt(MIX_TOKENS)} tokens…`);
    const seeded =
      store === 'sqlite' ? await seedSqlite(dir, MIX_TOKENS) : await seedPostgres(dir, MIX_TOKENS, PG_URL);
    // Sized to fit: room for every token, and a TTL longer than the run, so that a token the mix uses
    // rarely (most of a million, under Zipf) stays cached as in a service that has run a while. With the
    // default 300 s TTL a token used less often than every 5 minutes is a lookup every time.
    const fit = await latchkey({
      DATABASE_URL: seeded.databaseUrl,
      LATCHKEY_VERIFY_CACHE_ENTRIES: String(Math.ceil(MIX_TOKENS * 1.1)),
      LATCHKEY_VERIFY_CACHE_TTL_SECONDS: '7200',
      LATCHKEY_DB_POOL_MAX: '8',
    });
    const small = await latchkey({
      DATABASE_URL: seeded.databaseUrl,
      LATCHKEY_VERIFY_CACHE_ENTRIES: '100000',
      LATCHKEY_DB_POOL_MAX: '8',
    });
    const lua = join(here, 'zipf.lua');
    const cached = async (server) => {
      const text = await metricsText(server);
      return Number(/^latchkey_verify_cache_entries\{kind="known"\} (\d+)/m.exec(text)?.[1] ?? NaN);
    };
    const mix = (server, mode) =>
      load(server, '/api/v1/verify', lua, { env: { LK_TOKENS: seeded.tokensFile, LK_MODE: mode } });
    // Warm-up, so the caches hold what a running service's would: every token once for the cache that
    // fits them all (in turns of 20 s, each from where the cache's count says the last one got to), the
    // mix for a while for the small one.
    const floor = await script('raw-http.mjs');
    let walked = 0;
    while (walked < MIX_TOKENS * 0.99) {
      wrk(`${fit.url}/api/v1/verify`, {
        seconds: 20,
        connections: CONNECTIONS,
        script: lua,
        env: { LK_TOKENS: seeded.tokensFile, LK_MODE: 'all', LK_OFFSET: String(walked) },
      });
      const now = await cached(fit);
      console.log(`  fit: ${fmt(now)} tokens cached`);
      if (!(now > walked)) throw new Error(`warming the cache stalled at ${now} tokens`);
      walked = now;
    }
    wrk(`${small.url}/api/v1/verify`, {
      seconds: Math.max(10, SECONDS * 3),
      connections: CONNECTIONS,
      script: lua,
      env: { LK_TOKENS: seeded.tokensFile, LK_MODE: 'zipf', LK_SEED: '1' },
    });
    await new Promise((r) => setTimeout(r, 11_500)); // the warm-up's last flush, before the first round
    const lookupsBefore = { fit: await dbLookups(fit), small: await dbLookups(small) };
    // Two servers share CPU 0: each round is followed by the default flush interval (10 s) and a little
    // more, so that a round's usage is written by its own server before the other one is measured.
    const m = interleave(
      {
        one: mix(fit, 'one'),
        fit: mix(fit, 'zipf'),
        small: mix(small, 'zipf'),
        floor: mix(floor, 'zipf'),
      },
      ROUNDS,
      { warmup: false, settleMs: 11_500 },
    );
    const missRate = async (s, key, rounds) =>
      ((await dbLookups(s)) - lookupsBefore[key]) / rounds.reduce((a, r) => a + r.requests, 0);
    const label = store === 'sqlite' ? 'SQLite' : 'PostgreSQL';
    const fitMiss = await missRate(fit, 'fit', m.fit); // the one-token rounds look nothing up
    const smallMiss = await missRate(small, 'small', m.small);
    const rssMiB = (pid) =>
      Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN) / 1024;
    note(
      '7',
      `${label}: memory after the mix (resident)`,
      `cache ${fmt(Math.ceil(MIX_TOKENS * 1.1))}: ${fmt(rssMiB(fit.pid))} MiB with ${fmt(await cached(fit))} tokens cached; cache 100,000: ${fmt(rssMiB(small.pid))} MiB with ${fmt(await cached(small))}`,
      '',
    );
    row('7', `${label}: one hot token (cache ${fmt(Math.ceil(MIX_TOKENS * 1.1))})`, m.one);
    row(
      '7',
      `${label}: ${fmt(MIX_TOKENS)} tokens, Zipf mix, cache ${fmt(Math.ceil(MIX_TOKENS * 1.1))}`,
      m.fit,
      {
        baseline: m.one,
        goal: '≥ 0.8×, p99 < 10 ms',
        note: `database lookups: ${fmt(fitMiss * 100, 1)} % of requests`,
      },
    );
    row('8', `${label}: same mix, cache 100,000`, m.small, {
      baseline: m.one,
      goal: 'p99 < 20 ms',
      note: `database lookups: ${fmt(smallMiss * 100, 1)} % of requests`,
    });
    row(
      '7',
      'raw node:http floor, the same Zipf requests (parse, hash, lookup, a prepared denial)',
      m.floor,
      {
        baseline: m.one,
        note: 'what this machine and wrk give: no database, no cache',
      },
    );
    await stop(fit.child);
    await stop(small.child);
    await stop(floor.child);
    await seeded.drop();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

writeResults();
console.log(`\nwrote bench/RESULTS.md (${Math.round((Date.now() - started) / 1000)} s)`);
process.exit(0);

// ---- helpers ----

/** /metrics over a fresh connection (a kept-alive one may have timed out meanwhile). */
function metricsText(server) {
  return new Promise((resolve, reject) => {
    get(`${server.url}/metrics`, { agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve(text));
    }).on('error', reject);
  });
}

/** A private token of the bench org's admin service account, made through the API with its admin token. */
async function benchToken(server, adminToken, extra) {
  const headers = { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' };
  const accounts = await (
    await fetch(`${server.url}/api/v1/orgs/bench/service-accounts`, { headers })
  ).json();
  const admin = accounts.items.find((a) => a.name === 'admin');
  const res = await fetch(`${server.url}/api/v1/orgs/bench/tokens`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ type: 'private', serviceAccountId: admin.id, ...extra }),
  });
  if (res.status !== 201) throw new Error(`bench token: ${res.status} ${await res.text()}`);
  return (await res.json()).token;
}

/** Database lookups so far. */
async function dbLookups(server) {
  return Number(/^latchkey_verify_database_lookups (\d+)/m.exec(await metricsText(server))?.[1] ?? NaN);
}

function nginxConf(port, lkPort, upPort) {
  const file = join(dir, 'nginx.conf');
  writeFileSync(
    file,
    `${process.getuid?.() === 0 ? 'user root;' : ''}
worker_processes 1;
error_log ${join(dir, 'nginx-error.log')} warn;
pid ${join(dir, 'nginx.pid')};
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${join(dir, 'nb')}; proxy_temp_path ${join(dir, 'np')};
  fastcgi_temp_path ${join(dir, 'nf')}; uwsgi_temp_path ${join(dir, 'nu')}; scgi_temp_path ${join(dir, 'ns')};
  include ${join(root, 'docs/proxies/nginx/verify-secret.conf')};
  proxy_cache_path ${join(dir, 'auth-cache')} levels=1:2 keys_zone=latchkey_auth:10m max_size=64m inactive=10s use_temp_path=off;
  map $upstream_http_x_latchkey_quota_remaining $latchkey_metered { "" 0; default 1; } # as auth-cache-zone.conf
  upstream latchkey { server 127.0.0.1:${lkPort}; keepalive 64; }
  upstream platform { server 127.0.0.1:${upPort}; keepalive 64; }
  server {
    listen 127.0.0.1:${port};
    include ${join(root, 'docs/proxies/nginx/refused-location.conf')};
    location = /_latchkey_auth {
      proxy_pass http://latchkey/api/v1/forward-auth;
      include ${join(root, 'docs/proxies/nginx/forward-auth-common.conf')};
    }
    location = /_latchkey_auth_cached {
      proxy_pass http://latchkey/api/v1/forward-auth;
      include ${join(root, 'docs/proxies/nginx/forward-auth-common.conf')};
      include ${join(root, 'docs/proxies/nginx/auth-cache.conf')};
    }
    location /cached/ {
      auth_request /_latchkey_auth_cached;
      include ${join(root, 'docs/proxies/nginx/protected-location.conf')};
      proxy_pass http://platform;
    }
    location /plain/ { proxy_http_version 1.1; proxy_set_header Connection ""; proxy_pass http://platform; }
    location /auth/ {
      auth_request /_latchkey_auth;
      include ${join(root, 'docs/proxies/nginx/protected-location.conf')};
      proxy_pass http://platform;
    }
  }
}`,
  );
  return file;
}

async function pgAvailable() {
  const c = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 2000 });
  try {
    await c.connect();
    return true;
  } catch {
    return false;
  } finally {
    await c.end().catch(() => {});
  }
}

function writeResults() {
  let nginxVersion = 'nginx';
  try {
    nginxVersion = execFileSync('sh', ['-c', 'nginx -v 2>&1'], { encoding: 'utf8' }).trim();
  } catch {
    // not installed
  }
  const command = `node bench/run.mjs --rounds ${ROUNDS} --seconds ${SECONDS} --connections ${CONNECTIONS} --mix-tokens ${MIX_TOKENS}${args.only ? ` --only ${args.only}` : ''}`;
  const day = new Date().toISOString().slice(0, 10);
  const seconds = Math.round((Date.now() - started) / 1000);
  const rows = [
    '| goal row | measurement | req/s median (min–max) | p99 ms | CPU µs/request | ratio | goal |',
    '| --- | --- | ---: | ---: | ---: | ---: | --- |',
    ...table.map((r) =>
      r.text !== undefined
        ? `| ${r.goalRow} | ${r.measurement} | ${r.text} | | | | ${r.goal} |`
        : `| ${r.goalRow} | ${r.measurement}${r.note ? ` (${r.note})` : ''} | ${fmt(r.rps.median)} (${fmt(r.rps.min)}–${fmt(r.rps.max)}) | ${fmt(r.p99.median, 2)} | ${fmt(r.cpu.median, 1)} | ${Number.isFinite(r.ratio) ? `${fmt(r.ratio, 2)}×` : 'baseline'} | ${r.goal} |`,
    ),
    '',
  ];
  const machine = `Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB RAM, Node ${process.version}, ${nginxVersion}. Servers pinned to CPU 0 and wrk (1 thread, ${CONNECTIONS} connections) to CPU 1 unless the row says otherwise; ${ROUNDS} interleaved rounds of ${SECONDS} s per contender; figures are medians with the spread (min–max) of the rounds; every ratio is to a baseline of the same run.`;
  const file = join(here, 'RESULTS.md');
  const previous = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmark results\n';
  // The top table is the last full run's; sections below it (partial runs, A/B runs) are kept.
  const firstSection = previous.indexOf('\n## ');
  const top = firstSection === -1 ? previous : previous.slice(0, firstSection + 1);
  const sections = firstSection === -1 ? '' : previous.slice(firstSection + 1);
  if (!args.only) {
    const lines = [
      '# Benchmark results',
      '',
      `Produced by \`npm run bench\` (\`${command}\`) on ${day}, in ${seconds} s.`,
      '',
      machine,
      '',
      ...rows,
    ];
    writeFileSync(file, `${lines.join('\n')}\n${sections}`);
    return;
  }
  // A partial run (--only) is a section of its own, after the full table, replacing the last one of its rows.
  const heading = `## \`--only ${args.only}\``;
  const section = [`${heading}, ${day}`, '', `\`${command}\`, in ${seconds} s. ${machine}`, '', ...rows].join(
    '\n',
  );
  const parts = sections.split(/\n(?=## )/).filter((p) => p.trim() !== '' && !p.startsWith(heading));
  writeFileSync(file, `${top.trimEnd()}\n\n${[section, ...parts].map((p) => p.trimEnd()).join('\n\n')}\n`);
}
