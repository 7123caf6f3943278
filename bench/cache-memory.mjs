// Heap per cached token in the verify cache.
//   npm run build && node --expose-gc bench/cache-memory.mjs [--tokens 100000]
// Seeds K distinct tokens (one org, one service account, as most deployments look) in a temporary SQLite
// file, makes a cache bounded at K, looks every token up once through it (so each row comes from the real
// SQLite lookup, strings and all), and prints (heap after − heap before) / K, with a full GC before each
// reading. The cache's fixed part — the slots lru-cache reserves up front for `max` entries — is printed
// apart, and included in the per-token figure (a full cache uses all its slots). Not a test: it prints figures.
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../packages/server/dist/config/config.js';
import { createLogger } from '../packages/server/dist/logger.js';
import { createLatchkey } from '../packages/server/dist/server.js';
import { createTokenLookup } from '../packages/server/dist/store/queries/verify-lookup.js';
import { createCachedLookup } from '../packages/server/dist/verify/cache.js';
import { createLocalBus } from '../packages/server/dist/verify/invalidation.js';

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
const config = loadConfig({ DATABASE_URL: `sqlite:${join(dir, 'latchkey.db')}`, LOG_LEVEL: 'silent' });
const lk = await createLatchkey(config, createLogger('silent'), { usageFlushMs: 3_600_000 });
await lk.services.setup.bootstrap({
  slug: 'bench',
  email: 'owner@bench.test',
  password: 'correct horse battery staple',
  adminToken: true,
});

// K copies of the bootstrap token, each with its own id (tok_ + 20 characters, as real ids) and hash
// (SHA-256 hex, as the verifier computes it), the same owner, role and org.
const sqlite = lk.handle.sqlite;
const cols = sqlite
  .prepare('select name from pragma_table_info(?)')
  .all('tokens')
  .map((c) => c.name);
const template = sqlite.prepare('select id from tokens limit 1').get().id;
const copy = sqlite.prepare(
  `insert into tokens (${cols.join(', ')}) select ${cols.map((c) => (c === 'id' || c === 'hash' ? `@${c}` : c)).join(', ')} from tokens where id = @template`,
);
const hashOf = (n) => createHash('sha256').update(`bench-token-${n}`).digest('hex');
sqlite.transaction(() => {
  for (let n = 1; n <= K; n++)
    copy.run({ id: `tok_${String(n).padStart(20, '0')}`, hash: hashOf(n), template });
})();

const heap = () => {
  global.gc();
  global.gc();
  return process.memoryUsage().heapUsed;
};
const base = createTokenLookup(lk.handle.db, sqlite);
const h0 = heap();
const cache = createCachedLookup(base, createLocalBus(), { maxEntries: K });
const h1 = heap();
// Each hash made as a request makes it, so the cache's copy of the key is counted with the entry.
for (let n = 1; n <= K; n++) {
  const h = hashOf(n);
  if (!(await cache.byHash(h))) throw new Error(`no token for ${h}`);
}
const h2 = heap();
const { size, lookups } = cache.stats();
if (size !== K || lookups !== K) throw new Error(`cache holds ${size} of ${K} (${lookups} lookups)`);
console.log(
  JSON.stringify({
    tokens: K,
    reservedBytesPerSlot: Math.round((h1 - h0) / K),
    entryBytesPerToken: Math.round((h2 - h1) / K),
    bytesPerCachedToken: Math.round((h2 - h0) / K),
  }),
);
cache.close();
await lk.close();
