// Latchkey benchmark: `npm run bench` (options: --tokens 1000,1000000 --duration 4 --connections 50).
// Measures, in one run and side by side, the verification path against baselines on the same machine,
// and writes bench/RESULTS.md. Not a test: it prints figures; nothing here passes or fails.
import { execFileSync, fork, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, tmpdir, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { createLatchkey, createLogger, loadConfig } from '@latchkey/server';
import { createVerifier } from '../packages/server/dist/verify/verifier.js';
import { createTokenLookup } from '../packages/server/dist/store/queries/verify-lookup.js';
import { openDatabase } from '../packages/server/dist/store/dialect.js';
import { generateToken, hashToken, tokenHint } from '../packages/server/dist/domain/token-format.js';
import { expand } from '../packages/server/dist/domain/permissions.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..');
const args = Object.fromEntries(process.argv.slice(2).map((a, i, all) => (a.startsWith('--') ? [a.slice(2), all[i + 1]] : null)).filter(Boolean));
const TOKEN_COUNTS = (args.tokens ?? '1000,1000000').split(',').map(Number);
const DURATION = Number(args.duration ?? 4);
const CONNECTIONS = Number(args.connections ?? 50);
const ORIGIN = 'https://shop.example.com';
const children = new Set();
process.on('exit', () => children.forEach((c) => c.kill('SIGKILL')));

const freePort = () =>
  new Promise((res) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });

async function waitFor(url) {
  for (let i = 0; i < 300; i++) {
    try {
      await fetch(url);
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  throw new Error(`not up: ${url}`);
}

function startNode(script, env) {
  const child = fork(script, [], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  children.add(child);
  return child;
}
function startLatchkey(env) {
  const child = spawn(process.execPath, [join(root, 'packages/server/bin/latchkey.js'), 'serve'], { env: { ...process.env, LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'ignore', 'inherit'] });
  children.add(child);
  return child;
}
async function stop(child) {
  if (child.exitCode !== null) return;
  await new Promise((r) => {
    child.once('exit', r);
    child.kill('SIGTERM');
  });
  children.delete(child);
}

/** Seeds a database with `count` tokens (two of them known: a private and a public one). */
async function seed(dir, count) {
  const dbPath = join(dir, `bench-${count}.db`);
  const config = loadConfig({ DATABASE_URL: `sqlite:${dbPath}`, LOG_LEVEL: 'warn' });
  const lk = await createLatchkey(config, createLogger('warn'));
  const boot = await lk.services.setup.bootstrap({ slug: 'bench', email: 'owner@bench.test', password: 'bench password 123', adminToken: true });
  const admin = await lk.store.roles.findBuiltin(boot.org.id, 'Admin');
  const owner = await lk.store.roles.findBuiltin(boot.org.id, 'Owner');
  const scope = { org: boot.org, actor: { type: 'system', id: null, label: 'bench', userId: null, ip: null }, permissions: expand(owner.permissions) };
  const sa = await lk.services.serviceAccounts.create(scope, { name: 'edge', roleId: admin.id });
  const priv = await lk.services.tokens.create(scope, { name: 'bench private', serviceAccountId: sa.id, type: 'private' });
  const pub = await lk.services.tokens.create(scope, { name: 'bench public', serviceAccountId: sa.id, type: 'public', domains: [ORIGIN] });
  await lk.close();

  const db = new SQLite(dbPath);
  db.pragma('journal_mode = WAL');
  const insert = db.prepare(`insert into tokens (id, org_id, name, type, hash, hint, public_value, owner_service_account_id, owner_user_id, permissions, domains,
    expires_at, revoked_at, imported_at, created_by_type, created_by_id, created_at, updated_at, last_used_at, last_used_origin)
    values (?, ?, ?, 'private', ?, ?, null, ?, null, null, '[]', null, null, null, 'system', null, ?, ?, null, null)`);
  const sample = [];
  const now = new Date().toISOString();
  const batch = db.transaction((from, to) => {
    for (let i = from; i < to; i++) {
      const value = generateToken('private');
      if (sample.length < 20_000) sample.push(value);
      const id = `tok_${createHash('sha256').update(String(i)).digest('hex').slice(0, 20)}`;
      insert.run(id, boot.org.id, `seed ${i}`, hashToken(value), tokenHint(value, 'private'), sa.id, now, now);
    }
  });
  for (let i = 0; i < count - 3; i += 50_000) batch(i, Math.min(count - 3, i + 50_000));
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  return { dbPath, privateToken: priv.value, publicToken: pub.value, sample };
}

function wrk(url, { script, headers = {} } = {}) {
  // A one-second warm-up first (JIT, connection pools), not counted.
  const warm = ['-t2', `-c${CONNECTIONS}`, '-d1s'];
  for (const [k, v] of Object.entries(headers)) warm.push('-H', `${k}: ${v}`);
  if (script) warm.push('-s', script);
  execFileSync('wrk', [...warm, url], { stdio: 'ignore' });
  const a = ['-t2', `-c${CONNECTIONS}`, `-d${DURATION}s`, '--latency'];
  for (const [k, v] of Object.entries(headers)) a.push('-H', `${k}: ${v}`);
  if (script) a.push('-s', script);
  a.push(url);
  const out = execFileSync('wrk', a, { encoding: 'utf8' });
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? 0);
  const toMs = (s) => {
    const m = /([\d.]+)(us|ms|s)/.exec(s ?? '');
    if (!m) return NaN;
    return Number(m[1]) * (m[2] === 'us' ? 0.001 : m[2] === 's' ? 1000 : 1);
  };
  const p50 = toMs(/\s50%\s+(\S+)/.exec(out)?.[1]);
  const p99 = toMs(/\s99%\s+(\S+)/.exec(out)?.[1]);
  const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(out)?.[1] ?? 0);
  return { rps, p50, p99, non2xx };
}

function postScript(dir, name, body) {
  const file = join(dir, `${name}.lua`);
  writeFileSync(file, `wrk.method = "POST"\nwrk.body = ${JSON.stringify(JSON.stringify(body))}\nwrk.headers["Content-Type"] = "application/json"\n`);
  return file;
}

async function inProcess(dbPath, token, sample) {
  const config = loadConfig({ DATABASE_URL: `sqlite:${dbPath}`, LOG_LEVEL: 'warn' });
  const lk = await createLatchkey(config, createLogger('warn'));
  const opsFor = async (fn, ms = 1500) => {
    let n = 0;
    const end = performance.now() + ms;
    while (performance.now() < end) {
      for (let i = 0; i < 1000; i++) await fn(n++);
    }
    return n / (ms / 1000);
  };
  await lk.verifier.verify({ token, origin: null });
  const warm = await opsFor(() => lk.verifier.verify({ token, origin: null }));
  // Cold: no cache at all, a different token every call, each one a real SQLite lookup.
  const handle = openDatabase(`sqlite:${dbPath}`);
  const cold = createVerifier({ lookup: createTokenLookup(handle.db, handle.sqlite), catalog: config.catalog, tokenPrefix: '' });
  const coldOps = await opsFor((i) => cold.verify({ token: sample[i % sample.length], origin: null }));
  await handle.close();
  await lk.close();
  return { warm, cold: coldOps };
}

function nginxConf(dir, port, lkPort, upPort) {
  const conf = `
${process.getuid?.() === 0 ? 'user root;' : ''}
worker_processes 1;
error_log ${join(dir, 'nginx-error.log')} warn;
pid ${join(dir, 'nginx.pid')};
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${join(dir, 'nb')}; proxy_temp_path ${join(dir, 'np')};
  fastcgi_temp_path ${join(dir, 'nf')}; uwsgi_temp_path ${join(dir, 'nu')}; scgi_temp_path ${join(dir, 'ns')};
  include ${join(root, 'docs/proxies/nginx/verify-secret.conf')};
  upstream latchkey { server 127.0.0.1:${lkPort}; keepalive 64; }
  upstream platform { server 127.0.0.1:${upPort}; keepalive 64; }
  server {
    listen 127.0.0.1:${port};
    location = /static { return 200 "ok"; }
    location = /_latchkey_auth {
      proxy_pass http://latchkey/api/v1/forward-auth;
      include ${join(root, 'docs/proxies/nginx/forward-auth-common.conf')};
    }
    location /plain/ { proxy_http_version 1.1; proxy_set_header Connection ""; proxy_pass http://platform; }
    location /auth/ {
      auth_request /_latchkey_auth;
      include ${join(root, 'docs/proxies/nginx/protected-location.conf')};
      proxy_pass http://platform;
    }
  }
}`;
  const file = join(dir, 'nginx.conf');
  writeFileSync(file, conf);
  return file;
}

const fmt = (n, d = 0) => (Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d }) : '–');
const rows = [];
function report(tokens, name, r, baseline, baselineName) {
  const ratio = baseline ? r.rps / baseline.rps : NaN;
  rows.push({ tokens, name, ...r, ratio, baselineName });
  console.log(`${String(tokens).padStart(8)}  ${name.padEnd(58)} ${fmt(r.rps).padStart(9)} req/s  p50 ${fmt(r.p50, 2).padStart(6)} ms  p99 ${fmt(r.p99, 2).padStart(6)} ms${baseline ? `  ×${fmt(ratio, 2)} of ${baselineName}` : ''}${r.non2xx ? `  (${r.non2xx} non-2xx!)` : ''}`);
}

const started = Date.now();
const dir = mkdtempSync(join(tmpdir(), 'latchkey-bench-'));
const inproc = [];
try {
  for (const count of TOKEN_COUNTS) {
    console.log(`\nseeding ${count.toLocaleString('en-US')} tokens…`);
    const s = await seed(dir, count);
    const env = { DATABASE_URL: `sqlite:${s.dbPath}` };

    const barePort = await freePort();
    const bare = startNode(join(here, 'bare-fastify.mjs'), { PORT: String(barePort) });
    const lkPort = await freePort();
    const lk = startLatchkey({ ...env, PORT: String(lkPort) });
    await waitFor(`http://127.0.0.1:${barePort}/`);
    await waitFor(`http://127.0.0.1:${lkPort}/healthz`);
    const bareUrl = `http://127.0.0.1:${barePort}`;
    const lkUrl = `http://127.0.0.1:${lkPort}`;

    const aGet = wrk(`${bareUrl}/`);
    report(count, '(a) bare Fastify GET', aGet);
    const aPost = wrk(`${bareUrl}/`, { script: postScript(dir, 'bare', { token: s.privateToken }) });
    report(count, '(a) bare Fastify POST (JSON body)', aPost);
    report(count, '(b) POST /api/v1/verify, valid private token', wrk(`${lkUrl}/api/v1/verify`, { script: postScript(dir, 'verify', { token: s.privateToken }) }), aPost, '(a) POST');
    report(count, '(c) GET /api/v1/forward-auth, public token + allowed origin', wrk(`${lkUrl}/api/v1/forward-auth`, { headers: { authorization: `Bearer ${s.publicToken}`, origin: ORIGIN } }), aGet, '(a) GET');

    const ngPort = await freePort();
    const ng = spawn('nginx', ['-p', dir, '-c', nginxConf(dir, ngPort, lkPort, barePort), '-g', 'daemon off;'], { stdio: ['ignore', 'ignore', 'inherit'] });
    children.add(ng);
    await waitFor(`http://127.0.0.1:${ngPort}/static`);
    const ngStatic = wrk(`http://127.0.0.1:${ngPort}/static`);
    report(count, '(d) nginx static 200', ngStatic);
    const ngPlain = wrk(`http://127.0.0.1:${ngPort}/plain/x`);
    report(count, '(d) nginx → bare upstream', ngPlain, ngStatic, 'nginx static');
    const ngAuth = wrk(`http://127.0.0.1:${ngPort}/auth/x`, { headers: { authorization: `Bearer ${s.privateToken}` } });
    report(count, '(d) nginx + auth_request → Latchkey → same upstream', ngAuth, ngPlain, 'nginx → upstream');
    rows.push({ tokens: count, name: '(d) nginx + auth_request, against nginx static', ...ngAuth, ratio: ngAuth.rps / ngStatic.rps, baselineName: 'nginx static' });
    await stop(ng);

    const platPort = await freePort();
    let plat = startNode(join(here, 'platform-bench.mjs'), { ...env, MODE: 'none', PORT: String(platPort) });
    await waitFor(`http://127.0.0.1:${platPort}/assets`);
    const eNone = wrk(`http://127.0.0.1:${platPort}/assets`, { headers: { authorization: `Bearer ${s.privateToken}` } });
    report(count, '(e) platform route without middleware', eNone);
    await stop(plat);
    for (const mode of ['embedded', 'remote']) {
      plat = startNode(join(here, 'platform-bench.mjs'), { ...env, MODE: mode, PORT: String(platPort), LATCHKEY_URL: lkUrl });
      await waitFor(`http://127.0.0.1:${platPort}/healthz`).catch(() => {});
      const r = wrk(`http://127.0.0.1:${platPort}/assets`, { headers: { authorization: `Bearer ${s.privateToken}` } });
      report(count, `(e) platform route with middleware (${mode})`, r, eNone, 'no middleware');
      await stop(plat);
    }
    await stop(lk);
    await stop(bare);

    const f = await inProcess(s.dbPath, s.privateToken, s.sample);
    inproc.push({ tokens: count, store: 'SQLite', ...f });
    console.log(`${String(count).padStart(8)}  (f) in-process verify: warm cache ${fmt(f.warm)} ops/s, no cache (SQLite lookup) ${fmt(f.cold)} ops/s`);
    rmSync(s.dbPath, { force: true });
  }
} finally {
  children.forEach((c) => c.kill('SIGKILL'));
}


// ---- PostgreSQL: cold verify in-process, one instance direct, three instances behind nginx ----
const PG_URL = process.env.LATCHKEY_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const pgRows = [];
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
if (!args['skip-postgres'] && (await pgAvailable())) {
  for (const count of TOKEN_COUNTS) {
    const schema = `lk_bench_${process.pid}_${count}`;
    const admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    await admin.query(`drop schema if exists ${schema} cascade; create schema ${schema}`);
    const url = new URL(PG_URL);
    url.searchParams.set('options', `-c search_path=${schema}`);
    const dbUrl = url.toString();
    console.log(`\nseeding PostgreSQL with ${count.toLocaleString('en-US')} tokens…`);
    const config = loadConfig({ DATABASE_URL: dbUrl, LOG_LEVEL: 'warn' });
    const lk = await createLatchkey(config, createLogger('warn'));
    const boot = await lk.services.setup.bootstrap({ slug: 'bench', email: 'owner@bench.test', password: 'bench password 123', adminToken: true });
    const sa = await lk.store.serviceAccounts.findInOrg(boot.org.id, 'admin');
    await lk.close();
    // Legacy-format values 'bench-<i>' (imported): hashed by PostgreSQL itself, so a million rows seed in seconds.
    await admin.query(`set search_path = ${schema}`);
    await admin.query(
      `insert into tokens (id, org_id, name, type, hash, hint, owner_service_account_id, domains, imported_at, created_by_type, created_at, updated_at)
       select 'tok_' || lpad(i::text, 20, '0'), $1, 'seed ' || i, 'private', encode(sha256(('bench-' || i)::bytea), 'hex'), 'bench…', $2, '[]', now(), 'system', now(), now()
       from generate_series(1, $3::int) as i`,
      [boot.org.id, sa.id, count],
    );
    await admin.query('analyze tokens');
    await admin.end();
    const sample = Array.from({ length: 20_000 }, (_, i) => `bench-${1 + ((i * 7919) % count)}`);

    // In-process: warm (cache) and cold (every call a PostgreSQL round trip).
    const lk2 = await createLatchkey(config, createLogger('warn'));
    await new Promise((r) => setTimeout(r, 300)); // the LISTEN feed connects; until then the cache is bypassed
    const opsFor = async (fn, ms = 1500) => {
      let n = 0;
      const end = performance.now() + ms;
      while (performance.now() < end) for (let i = 0; i < 200; i++) await fn(n++);
      return n / (ms / 1000);
    };
    await lk2.verifier.verify({ token: boot.token, origin: null });
    const warm = await opsFor(() => lk2.verifier.verify({ token: boot.token, origin: null }));
    const handle = openDatabase(dbUrl);
    const cold = createVerifier({ lookup: createTokenLookup(handle.db, undefined, handle.pool), catalog: config.catalog, tokenPrefix: '' });
    const coldSeq = await opsFor((i) => cold.verify({ token: sample[i % sample.length], origin: null }));
    // 16 concurrent lookups in flight, as a busy server would have.
    let k = 0;
    const endAt = performance.now() + 1500;
    let done = 0;
    await Promise.all(Array.from({ length: 16 }, async () => {
      while (performance.now() < endAt) {
        await cold.verify({ token: sample[k++ % sample.length], origin: null });
        done++;
      }
    }));
    const coldPar = done / 1.5;
    await handle.close();
    await lk2.close();
    inproc.push({ tokens: count, store: 'PostgreSQL', warm, cold: coldSeq, coldParallel: coldPar });
    console.log(`${String(count).padStart(8)}  (f) PostgreSQL in-process verify: warm ${fmt(warm)} ops/s, no cache ${fmt(coldSeq)} ops/s sequential, ${fmt(coldPar)} ops/s with 16 in flight`);

    // Over HTTP: one instance direct, then three behind nginx, same database.
    const ports = [await freePort(), await freePort(), await freePort()];
    const procs = ports.map((p) => startLatchkey({ DATABASE_URL: dbUrl, PORT: String(p), LATCHKEY_DB_POOL_MAX: '8' }));
    for (const p of ports) await waitFor(`http://127.0.0.1:${p}/healthz`);
    await new Promise((r) => setTimeout(r, 500));
    const script = postScript(dir, `verify-pg-${count}`, { token: boot.token });
    const one = wrk(`http://127.0.0.1:${ports[0]}/api/v1/verify`, { script });
    report(count, '(g) PostgreSQL: POST /api/v1/verify, one instance', one);
    const lbPort = await freePort();
    const lbConf = join(dir, `lb-${count}.conf`);
    writeFileSync(lbConf, `${process.getuid?.() === 0 ? 'user root;' : ''}
worker_processes 1; error_log ${join(dir, 'lb-error.log')} warn; pid ${join(dir, 'lb.pid')};
events { worker_connections 4096; }
http { access_log off; client_body_temp_path ${join(dir, 'lbb')}; proxy_temp_path ${join(dir, 'lbp')};
  fastcgi_temp_path ${join(dir, 'lbf')}; uwsgi_temp_path ${join(dir, 'lbu')}; scgi_temp_path ${join(dir, 'lbs')};
  upstream lk { least_conn; ${ports.map((p) => `server 127.0.0.1:${p};`).join(' ')} keepalive 64; }
  server { listen 127.0.0.1:${lbPort}; location / { proxy_pass http://lk; proxy_http_version 1.1; proxy_set_header Connection ""; } } }`);
    const lb = spawn('nginx', ['-p', dir, '-c', lbConf, '-g', 'daemon off;'], { stdio: ['ignore', 'ignore', 'inherit'] });
    children.add(lb);
    await waitFor(`http://127.0.0.1:${lbPort}/healthz`);
    const three = wrk(`http://127.0.0.1:${lbPort}/api/v1/verify`, { script });
    report(count, '(g) PostgreSQL: 3 instances behind nginx', three, one, 'one instance');
    await stop(lb);
    for (const p of procs) await stop(p);
    const drop = new pg.Client({ connectionString: PG_URL });
    await drop.connect();
    await drop.query(`drop schema if exists ${schema} cascade`);
    await drop.end();
  }
} else {
  console.log('\nPostgreSQL not reachable (or --skip-postgres): PostgreSQL rows skipped');
}

const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB RAM, Node ${process.version}, ${execFileSync('nginx', ['-v'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }) || 'nginx'}`.trim();
const nginxVersion = (() => {
  try {
    return execFileSync('sh', ['-c', 'nginx -v 2>&1'], { encoding: 'utf8' }).trim();
  } catch {
    return 'nginx';
  }
})();
const lines = [
  '# Benchmark results',
  '',
  `Produced by \`npm run bench\` (\`node bench/run.mjs --tokens ${TOKEN_COUNTS.join(',')} --duration ${DURATION} --connections ${CONNECTIONS}\`) on ${new Date().toISOString().slice(0, 10)}, in ${Math.round((Date.now() - started) / 1000)} s.`,
  '',
  `Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB RAM, Node ${process.version}, ${nginxVersion}. wrk (2 threads, ${CONNECTIONS} connections, ${DURATION} s per row) runs on the same cores as the servers, on loopback. Every ratio is to a baseline measured in the same run.`,
  '',
  '| tokens | measurement | req/s | p50 ms | p99 ms | ratio to baseline |',
  '| ---: | --- | ---: | ---: | ---: | --- |',
  ...rows.map((r) => `| ${r.tokens.toLocaleString('en-US')} | ${r.name} | ${fmt(r.rps)} | ${fmt(r.p50, 2)} | ${fmt(r.p99, 2)} | ${r.baselineName ? `${fmt(r.ratio, 2)} × ${r.baselineName}` : 'baseline'} |`),
  '',
  '| store | tokens | (f) in-process verify, warm cache | (f) no cache: every call a database lookup | no cache, 16 lookups in flight |',
  '| --- | ---: | ---: | ---: | ---: |',
  ...inproc.map((r) => `| ${r.store} | ${r.tokens.toLocaleString('en-US')} | ${fmt(r.warm)} ops/s | ${fmt(r.cold)} ops/s | ${r.coldParallel ? `${fmt(r.coldParallel)} ops/s` : '–'} |`),
  '',
];
writeFileSync(join(here, 'RESULTS.md'), lines.join('\n'));
children.forEach((c) => c.kill('SIGKILL'));
rmSync(dir, { recursive: true, force: true });
void machine;
console.log(`\nwrote bench/RESULTS.md (${Math.round((Date.now() - started) / 1000)} s)`);
