// How long does the usage flush stop everything else? On SQLite (one connection, one thread) a flush that
// writes every used token in one go holds the event loop for its whole duration, and every cache-miss
// lookup waits behind it.
//   npm run build && node bench/usage-flush.mjs [--tokens 50000] [--days 1]
// Seeds N distinct tokens in a temporary SQLite file, records usage for all of them (as N verifications
// would), then flushes while a setInterval(…, 1) timer does one token lookup per tick, and prints the longest
// gap between ticks (how long a verification arriving then would have waited) and the total flush time. Not a test: it prints figures. Run it on two builds to compare.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../packages/server/dist/config/config.js';
import { createLogger } from '../packages/server/dist/logger.js';
import { createLatchkey } from '../packages/server/dist/server.js';
import { createTokenLookup } from '../packages/server/dist/store/queries/verify-lookup.js';

const args = Object.fromEntries(
  process.argv
    .slice(2)
    .map((a, i, all) => (a.startsWith('--') ? [a.slice(2), all[i + 1]] : null))
    .filter(Boolean),
);
const N = Number(args.tokens ?? 50_000);
const DAYS = Number(args.days ?? 1);

const dir = mkdtempSync(join(tmpdir(), 'latchkey-usage-bench-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

const config = loadConfig({ DATABASE_URL: `sqlite:${join(dir, 'latchkey.db')}`, LOG_LEVEL: 'silent' });
// A settable clock, so usage can be recorded on several days.
let clock = Date.now() - (DAYS - 1) * 86_400_000;
const lk = await createLatchkey(config, createLogger('silent'), {
  usageFlushMs: 3_600_000,
  clock: { now: () => new Date(clock) },
});
await lk.services.setup.bootstrap({
  slug: 'bench',
  email: 'owner@bench.test',
  password: 'correct horse battery staple',
  adminToken: true,
});

// N copies of the bootstrap token with their own id and hash: enough for the flush, which only needs ids.
const sqlite = lk.handle.sqlite;
const cols = sqlite
  .prepare('select name from pragma_table_info(?)')
  .all('tokens')
  .map((c) => c.name);
const select = cols.map((c) => (c === 'id' ? `'tok_bench' || n` : c === 'hash' ? `'h' || n` : c)).join(', ');
const seeded = Date.now();
sqlite
  .prepare(
    `with recursive seq(n) as (select 1 union all select n + 1 from seq where n < ?)
     insert into tokens (${cols.join(', ')}) select ${select} from seq, (select * from tokens limit 1)`,
  )
  .run(N);
console.log(`seeded ${N} tokens in ${Date.now() - seeded} ms`);

// Usage for every token (over DAYS days), as the verify path records it.
const recorder = lk.usage;
for (let d = 0; d < DAYS; d++, clock += 86_400_000) {
  for (let n = 1; n <= N; n++) recorder.record(`tok_bench${n}`, 'https://bench.example.com');
}

const lookup = createTokenLookup(lk.handle.db, sqlite);
let maxGap = 0;
let ticks = 0;
let last = performance.now();
const timer = setInterval(() => {
  const t = performance.now();
  maxGap = Math.max(maxGap, t - last);
  last = t;
  ticks += 1;
  const hash = `h${1 + (ticks % N)}`;
  // A cache-miss lookup on the same connection: it can only run when the flush lets it.
  void lookup.byHash(hash).then((row) => {
    if (!row) throw new Error(`no token for ${hash}`);
  });
}, 1);

await new Promise((r) => setTimeout(r, 50));
maxGap = 0;
const started = performance.now();
await recorder.flush();
const total = performance.now() - started;
await new Promise((r) => setTimeout(r, 20));
clearInterval(timer);

const check = sqlite.prepare('select count(*) as n, sum(count) as uses from token_usage_daily').get();
const used = sqlite.prepare('select count(*) as n from tokens where last_used_at is not null').get();
console.log(
  JSON.stringify({
    tokens: N,
    days: DAYS,
    flushMs: Math.round(total),
    worstEventLoopStallMs: Math.round(maxGap * 10) / 10,
    timerTicksDuringFlush: ticks,
    dailyRows: check.n,
    uses: check.uses,
    tokensWithLastUsed: used.n,
  }),
);
await lk.close();
