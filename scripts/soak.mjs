// `npm run soak -- --seconds 120`: a bounded load run mixing verifications (wrk), management writes and
// revocations against one server on a fresh database. Passes only with zero 5xx, zero wrong answers and
// flat memory; prints the figures. Traffic stays on loopback and stops by itself.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const BIN = join(root, 'packages/server/bin/latchkey.js');
const seconds = Number(process.argv[process.argv.indexOf('--seconds') + 1] || 120);
const dir = mkdtempSync(join(tmpdir(), 'latchkey-soak-'));
const env = {
  ...process.env,
  DATABASE_URL: `sqlite:${join(dir, 'soak.db')}`,
  LOG_LEVEL: 'warn',
  LATCHKEY_VERIFY_FAILURE_LIMIT: '0',
};
const port = await new Promise((res) => {
  const s = createServer();
  s.listen(0, '127.0.0.1', () => {
    const { port: p } = s.address();
    s.close(() => res(p));
  });
});
const url = `http://127.0.0.1:${port}`;

const bootstrap = await new Promise((res, rej) => {
  const c = spawn(
    process.execPath,
    [BIN, 'bootstrap', '--org', 'soak', '--email', 'owner@soak.test', '--password-stdin', '--admin-token'],
    { env },
  );
  let out = '';
  c.stdout.on('data', (d) => (out += d));
  c.on('close', (code) => (code === 0 ? res(JSON.parse(out)) : rej(new Error(`bootstrap failed (${code})`))));
  c.stdin.end('soak password 123');
});
const server = spawn(process.execPath, [BIN, 'serve'], {
  env: { ...env, PORT: String(port) },
  stdio: ['ignore', 'ignore', 'inherit'],
});
for (let i = 0; i < 200; i++) {
  try {
    if ((await fetch(`${url}/healthz`)).ok) break;
  } catch {
    await new Promise((r) => setTimeout(r, 50));
  }
}
const auth = { authorization: `Bearer ${bootstrap.token}` };
const apiCall = async (method, path, body) => {
  const res = await fetch(`${url}/api/v1${path}`, {
    method,
    headers: { ...auth, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
};
const verify = async (token) =>
  (
    await (
      await fetch(`${url}/api/v1/verify`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ token }),
      })
    ).json()
  ).code;
const rss = async () =>
  Number(/process_resident_memory_bytes (\d+)/.exec(await (await fetch(`${url}/metrics`)).text())?.[1] ?? 0);

const sa = await apiCall('POST', '/orgs/soak/service-accounts', { name: 'soak' });
const valid = [];
for (let i = 0; i < 20; i++)
  valid.push(
    (
      await apiCall('POST', '/orgs/soak/tokens', {
        name: `v${i}`,
        type: 'private',
        serviceAccountId: sa.body.id,
      })
    ).body.token,
  );

// wrk: verifications of tokens that stay valid; the Lua script counts any answer that is not "valid".
const lua = join(dir, 'soak.lua');
writeFileSync(
  lua,
  `
local tokens = {${valid.map((t) => `"${t}"`).join(',')}}
local threads = {}
local i = 0
function setup(thread) table.insert(threads, thread) end
function init(args) wrong = 0 end
function request()
  i = i + 1
  return wrk.format("POST", "/api/v1/verify", { ["Content-Type"] = "application/json" }, '{"token":"' .. tokens[(i % #tokens) + 1] .. '"}')
end
function response(status, headers, body)
  if status ~= 200 or not string.find(body, '"valid":true', 1, true) then wrong = wrong + 1 end
end
function done(summary, latency, requests)
  local w = 0
  for _, t in ipairs(threads) do w = w + t:get("wrong") end
  io.write(string.format("WRK requests=%d wrong=%d errors=%d p50=%.2f p99=%.2f\\n", summary.requests, w, summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout, latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
`,
);
await new Promise((r) => setTimeout(r, 2000));
const rssStart = await rss();
const wrk = spawn('wrk', ['-t2', '-c20', `-d${seconds}s`, '-s', lua, `${url}/api/v1/verify`]);
let wrkOut = '';
wrk.stdout.on('data', (d) => (wrkOut += d));
const wrkDone = new Promise((r) => wrk.on('close', r));

// Management writes and revocations meanwhile, every answer checked.
const stats = { writes: 0, revocations: 0, wrong: 0, serverErrors: 0 };
const until = Date.now() + seconds * 1000 - 1000;
let n = 0;
while (Date.now() < until) {
  const created = await apiCall('POST', '/orgs/soak/tokens', {
    name: `churn ${n}`,
    type: 'private',
    serviceAccountId: sa.body.id,
  });
  stats.writes += 1;
  if (created.status >= 500) stats.serverErrors += 1;
  if ((await verify(created.body.token)) !== 'valid') stats.wrong += 1;
  const revoked = await apiCall('DELETE', `/orgs/soak/tokens/${created.body.item.id}`);
  if (revoked.status >= 500) stats.serverErrors += 1;
  stats.revocations += 1;
  const after = await verify(created.body.token);
  if (after !== 'token_revoked') {
    stats.wrong += 1;
    if (stats.wrong <= 3) console.error('after revocation:', after, revoked.status);
  }
  if (n % 10 === 0) {
    const tmp = await apiCall('POST', '/orgs/soak/service-accounts', { name: `tmp-${n}` });
    if ((await apiCall('DELETE', `/orgs/soak/service-accounts/${tmp.body.id}`)).status >= 500)
      stats.serverErrors += 1;
    stats.writes += 2;
  }
  n += 1;
}
await wrkDone;
const rssEnd = await rss();
server.kill('SIGTERM');
await new Promise((r) => server.on('close', r));
rmSync(dir, { recursive: true, force: true });

const m = /WRK requests=(\d+) wrong=(\d+) errors=(\d+) p50=([\d.]+) p99=([\d.]+)/.exec(wrkOut);
const verifications = Number(m?.[1] ?? 0);
const wrkWrong = Number(m?.[2] ?? -1);
const wrkErrors = Number(m?.[3] ?? -1);
const growth = rssEnd / rssStart;
console.log(
  `soak ${seconds} s: ${verifications.toLocaleString('en-US')} verifications (${Math.round(verifications / seconds).toLocaleString('en-US')}/s, p50 ${m?.[4]} ms, p99 ${m?.[5]} ms), ` +
    `${stats.writes} management writes, ${stats.revocations} revocations; wrong answers ${wrkWrong + stats.wrong}, 5xx/errors ${wrkErrors + stats.serverErrors}; ` +
    `memory ${(rssStart / 2 ** 20).toFixed(0)} → ${(rssEnd / 2 ** 20).toFixed(0)} MiB (×${growth.toFixed(2)})`,
);
const ok =
  verifications > 0 &&
  wrkWrong === 0 &&
  stats.wrong === 0 &&
  wrkErrors === 0 &&
  stats.serverErrors === 0 &&
  growth < 1.5;
if (!ok) {
  console.error('soak FAILED');
  process.exit(1);
}
