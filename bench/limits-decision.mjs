// What a token's restrictions and limits add to one decision, in process (no HTTP, no load generator), so
// that a difference of a microsecond is not lost in the ±10 % a shared 2-core machine gives an HTTP round:
// the verifier's decision and the /verify answer bytes, for a plain token, one with an IP allowlist, and
// one with that allowlist and two rate-limit windows. Interleaved rounds, median and spread, pinned to CPU 0.
// Usage: taskset -c 0 node bench/limits-decision.mjs [--rounds 9]   (after `npm run build`)
import { root } from './lib/processes.mjs';
import { median } from './lib/rounds.mjs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const dist = (p) => import(pathToFileURL(join(root, 'packages/server/dist', p)).href);
const { createVerifier } = await dist('verify/verifier.js');
const { createRateLimits } = await dist('verify/rate-limits.js');
const { createTokenLimits } = await dist('verify/token-limits.js');
const { buildCatalog } = await dist('domain/permissions.js');
const { generateToken, hashToken } = await dist('domain/token-format.js');
const { verifyAnswer } = await dist('http/verify-answer.js');

const rounds = Number(process.argv[process.argv.indexOf('--rounds') + 1]) || 9;
const catalog = buildCatalog(['assets'], ['assets:view']);
const ranges = [...Array.from({ length: 9 }, (_, i) => `10.${i}.0.0/16`), '203.0.113.0/24'];
const row = (id, over) => ({
  tokenId: id,
  orgId: 'org_bench',
  orgSlug: 'bench',
  type: 'private',
  domains: [],
  allowedIps: [],
  enforcement: 'enforce',
  rateLimits: [],
  quota: null,
  permissions: null,
  expiresAt: null,
  revokedAt: null,
  suspendedAt: null,
  secret: { kind: 'current', pending: null, retiresOnFirstUse: false },
  ownerServiceAccountId: 'sa_bench',
  ownerUserId: null,
  ownerName: 'bench',
  ownerInactive: false,
  roleId: 'rol_bench',
  rolePermissions: ['assets:view'],
  ...over,
});
const contenders = {
  plain: {},
  fenced: { allowedIps: ranges },
  limited: {
    allowedIps: ranges,
    rateLimits: [
      { name: 'burst', limit: 1e9, windowSeconds: 1 },
      { name: 'daily', limit: 1e9, windowSeconds: 86_400 },
    ],
  },
};
const rows = new Map();
const values = {};
for (const [name, over] of Object.entries(contenders)) {
  values[name] = generateToken('private', 'lk');
  rows.set(hashToken(values[name]), row(`tok_${name}`, over));
}
const verifier = createVerifier({
  lookup: {
    byHash: async (h) => rows.get(h) ?? null,
    peek: (h) => rows.get(h),
    hasImported: async () => false,
  },
  catalog,
  tokenPrefix: 'lk',
  limits: createTokenLimits({
    rateLimits: createRateLimits(),
    spend: async () => ({ spent: true, remaining: 0 }),
  }),
});

const N = 200_000;
async function run(token) {
  const req = { token, origin: null, permission: 'assets:view', ip: '203.0.113.7' };
  const started = process.cpuUsage();
  for (let i = 0; i < N; i++) {
    let r = verifier.verifyNow(req);
    if (r instanceof Promise) r = await r;
    verifyAnswer(r);
  }
  const used = process.cpuUsage(started);
  return (used.user + used.system) / N;
}

const names = Object.keys(contenders);
for (const n of names) await run(values[n]); // warm-up
const results = Object.fromEntries(names.map((n) => [n, []]));
for (let round = 0; round < rounds; round++) {
  for (const n of round % 2 === 0 ? names : [...names].reverse()) results[n].push(await run(values[n]));
}
const base = median(results.plain);
for (const n of names) {
  const xs = results[n];
  const m = median(xs);
  console.log(
    `${n.padEnd(8)} ${m.toFixed(2)} µs CPU per decision + answer (${Math.min(...xs).toFixed(2)}–${Math.max(...xs).toFixed(2)})${n === 'plain' ? '' : `  +${(m - base).toFixed(2)} µs`}`,
  );
}
