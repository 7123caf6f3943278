// Heap per cached token, for everything a verified token keeps in memory.
//   npm run build && node --expose-gc bench/cache-memory.mjs [--tokens 100000]
// Seeds K real private tokens (one org, one service account, as most deployments look) in a temporary
// SQLite file, starts Latchkey with a cache bounded at K, and reads the heap (after a full GC) at each step:
//   1. the cache's fixed part: the slots lru-cache reserves up front for `max` entries (read on a second,
//      empty cache);
//   2. every token looked up once through the cache (each row from the real SQLite lookup, strings and all);
//   3. every token verified and answered as `POST /api/v1/verify` answers it: what the verifier prepares per
//      token (identity, the prepared valid answer) and the HTTP layer's prepared answer bytes. This step also
//      holds each token's usage until the next flush, so its figure is read after a flush (3) and before (4);
//   4. usage recorded for every token and not yet flushed (what one flush interval holds per distinct token).
// Not a test: it prints figures (bytes per token).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLatchkey, createLogger, loadConfig } from '@latchkey/server';
import { hashToken } from '../packages/server/dist/domain/token-format.js';
import { answerBody, verifyAnswer } from '../packages/server/dist/http/verify-answer.js';
import { createCachedLookup } from '../packages/server/dist/verify/cache.js';
import { createLocalBus } from '../packages/server/dist/verify/invalidation.js';
import { seedSqlite } from './lib/seed.mjs';

if (typeof global.gc !== 'function') {
  console.error('run with: node --expose-gc bench/cache-memory.mjs');
  process.exit(2);
}
const args = Object.fromEntries(
  process.argv
    .slice(2)
    .map((a, i, all) => (a.startsWith('--') ? [a.slice(2), all[i + 1]] : null))
    .filter(Boolean),
);
const K = Number(args.tokens ?? 100_000);

const dir = mkdtempSync(join(tmpdir(), 'latchkey-cache-bench-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
const seeded = await seedSqlite(dir, K);
const tokens = readFileSync(seeded.tokensFile, 'utf8').trim().split('\n');

const heap = () => {
  global.gc();
  global.gc();
  return process.memoryUsage().heapUsed;
};
const lk = await createLatchkey(
  loadConfig({
    DATABASE_URL: seeded.databaseUrl,
    LOG_LEVEL: 'silent',
    LATCHKEY_VERIFY_CACHE_ENTRIES: String(K),
    LATCHKEY_VERIFY_CACHE_TTL_SECONDS: '86400',
  }),
  createLogger('silent'),
  { usageFlushMs: 86_400_000 },
);
// Warm what is made once per process (compiled code, prepared statements), so step 1 is the slots alone.
await lk.verifier.verify({ token: tokens[0], origin: null });
lk.lookup.clear();
await lk.usage.flush();
// 1. The slots: a second cache of the same bound, empty, read on its own.
const r0 = heap();
const empty = createCachedLookup(
  { byHash: async () => null, hasImported: async () => false },
  createLocalBus(),
  {
    maxEntries: K,
  },
);
const r1 = heap();
empty.close();
const h1 = heap();

for (const t of tokens)
  if (!(await lk.lookup.byHash(hashToken(t)))) throw new Error('a seeded token was not found');
const h2 = heap();
const { size, lookups } = lk.lookup.stats();
if (size !== K) throw new Error(`cache holds ${size} of ${K} (${lookups} lookups)`);

let bytes = 0;
for (const t of tokens) {
  const r = await lk.verifier.verify({ token: t, origin: null });
  if (!r.valid) throw new Error(`a seeded token was refused: ${r.code}`);
  bytes += Buffer.byteLength(answerBody(verifyAnswer(r)));
}
const hUnflushed = heap();
await lk.usage.flush();
const h3 = heap();
if (lk.lookup.stats().lookups !== lookups) throw new Error('verification looked tokens up again');

const perToken = (a, b) => Math.round((b - a) / K);
console.log(
  JSON.stringify({
    tokens: K,
    reservedBytesPerSlot: perToken(r0, r1),
    cacheEntryBytesPerToken: perToken(h1, h2),
    preparedAnswerBytesPerToken: perToken(h2, h3),
    // A full cache uses all its slots: they count per token.
    bytesPerVerifiedToken: perToken(h1, h3) + perToken(r0, r1),
    pendingUsageBytesPerToken: perToken(h3, hUnflushed),
    answerBodyBytes: Math.round(bytes / K),
  }),
);
await lk.close();
