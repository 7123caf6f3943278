import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateToken } from '../../src/domain/token-format.js';
import { verifyFromAddress } from '../../src/verify/verify-from-address.js';
import {
  createOrg,
  createServiceAccount,
  createToken,
  startInstance,
  type TestInstance,
} from '../helpers/harness.js';
import { heapAfterGc } from '../helpers/heap.js';

/**
 * Issue #7 §5: a flood of 100,000 random tokens must not reach the database more than the negative cache
 * and the per-address failure limit allow, and must not grow memory without bound. Every figure is
 * measured here (lookups are counted where they leave the cache for the store) and printed; the settings
 * are the defaults a deployment runs with (600 failures a minute per address, 100,000 remembered unknown
 * values, 100,000 counted addresses).
 *
 * The flood goes through verifyFromAddress — the exact code /verify and /forward-auth run after parsing
 * the request — rather than HTTP, so 500,000 verifications take seconds instead of minutes; the HTTP
 * wiring of the same limit is tested in http/abuse-limits.test.ts. The cache and the limiter sit above
 * the store, so one store (SQLite) is enough here.
 */
const FLOOD = 100_000;
const IN_FLIGHT = 200;

const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(1);

const ipFor = (i: number) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
let wave = 0;

/** Sends `count` verifications, IN_FLIGHT at a time; returns how many got each answer (`rate_limited` or the code). */
async function flood(lk: TestInstance, count: number, request: (i: number) => { ip: string; token: string }) {
  const answers: Record<string, number> = {};
  for (let start = 0; start < count; start += IN_FLIGHT) {
    const batch = [];
    for (let i = start; i < Math.min(count, start + IN_FLIGHT); i++) {
      const { ip, token } = request(i);
      batch.push(verifyFromAddress(lk, ip, { token, origin: null }));
    }
    for (const { result, rateLimited } of await Promise.all(batch)) {
      const answer = rateLimited ? 'rate_limited' : result.code;
      answers[answer] = (answers[answer] ?? 0) + 1;
    }
  }
  return answers;
}

describe(`a flood of ${FLOOD.toLocaleString('en')} random tokens`, () => {
  let lk: TestInstance;
  let known: string;
  beforeAll(async () => {
    lk = await startInstance({ LATCHKEY_VERIFY_FAILURE_LIMIT: '600' });
    const org = await createOrg(lk);
    const sa = await createServiceAccount(lk, org, 'flood-target');
    known = (await createToken(lk, org, { serviceAccountId: sa.id })).token;
  });
  afterAll(() => lk.close());

  const lookups = () => lk.lookup.stats().lookups;
  const verify = async (ip: string, token: string) => {
    const { result, rateLimited } = await verifyFromAddress(lk, ip, { token, origin: null });
    return rateLimited ? 'rate_limited' : result.code;
  };

  it('from one address: at most the failure limit reaches the database, and its valid token keeps working', async () => {
    const ip = `192.0.2.${++wave}`;
    expect(await verify(ip, known)).toBe('valid');
    const before = lookups();
    const started = performance.now();
    const answers = await flood(lk, FLOOD, (i) => ({
      ip,
      token: generateToken(i % 2 ? 'private' : 'public'),
    }));
    const reached = lookups() - before;
    console.log(
      `[flood] ${FLOOD} well-formed random tokens from one address → ${reached} database lookups (limit ${lk.config.verifyFailureLimit}/min); answers ${JSON.stringify(answers)}; ${Math.round(performance.now() - started)} ms`,
    );
    expect(reached).toBeLessThanOrEqual(lk.config.verifyFailureLimit + 1);
    expect(answers.token_invalid).toBe(lk.config.verifyFailureLimit + 1);
    expect(answers.rate_limited).toBe(FLOOD - lk.config.verifyFailureLimit - 1);
    expect(await verify(ip, known)).toBe('valid');
    expect(await verify(`192.0.2.${++wave}`, generateToken('private'))).toBe('token_invalid');
  });

  it('of values that are not tokens at all: none reaches the database', async () => {
    const before = lookups();
    const answers = await flood(lk, FLOOD, (i) => ({
      ip: ipFor(i),
      token: randomBytes(24).toString('base64url'),
    }));
    const reached = lookups() - before;
    console.log(
      `[flood] ${FLOOD} random non-token strings from ${FLOOD} addresses → ${reached} database lookups; answers ${JSON.stringify(answers)}`,
    );
    expect(reached).toBe(0);
    expect(answers).toEqual({ token_invalid: FLOOD });
  });

  it('repeating 1,000 values from 100,000 addresses: each value reaches the database once', async () => {
    const values = Array.from({ length: 1000 }, () => generateToken('private'));
    const before = lookups();
    const answers = await flood(lk, FLOOD, (i) => ({
      ip: ipFor(FLOOD + i),
      token: values[i % values.length]!,
    }));
    const reached = lookups() - before;
    console.log(
      `[flood] ${FLOOD} verifications repeating ${values.length} unknown values → ${reached} database lookups (negative cache hits ${lk.lookup.stats().negativeHits})`,
    );
    expect(reached).toBe(values.length);
    expect(answers).toEqual({ token_invalid: FLOOD });
  });

  it('from 100,000 addresses, every value new: one lookup per value, and memory reaches a ceiling instead of growing', async () => {
    // The worst case for the limiter: no address fails twice, so every distinct value costs one lookup
    // (as it must: an unknown value can only be refused after checking it once). What must stay bounded
    // is memory: the negative cache and the limiter's address table are full after one wave and only
    // replace entries during the next ones.
    const heaps: number[] = [];
    const perWave: number[] = [];
    heaps.push(heapAfterGc());
    for (let w = 0; w < 3; w++) {
      const before = lookups();
      const started = performance.now();
      const offset = (w + 2) * FLOOD;
      const answers = await flood(lk, FLOOD, (i) => ({
        ip: ipFor(offset + i),
        token: generateToken('private'),
      }));
      perWave.push(lookups() - before);
      const seconds = (performance.now() - started) / 1000;
      expect(answers).toEqual({ token_invalid: FLOOD });
      heaps.push(heapAfterGc());
      const s = lk.lookup.stats();
      const l = lk.failureLimiter.stats();
      console.log(
        `[flood] wave ${w + 1}: ${FLOOD} new values from ${FLOOD} new addresses → ${perWave[w]} lookups in ${seconds.toFixed(1)} s (${Math.round(FLOOD / seconds)}/s); negative cache ${s.negativeSize} entries, limiter ${l.countedAddresses} counted / ${l.limitedAddresses} limited addresses; heap ${mib(heaps[w + 1]!)} MiB`,
      );
      expect(s.negativeSize).toBeLessThanOrEqual(100_000);
      expect(l.countedAddresses).toBeLessThanOrEqual(100_000);
    }
    expect(perWave).toEqual([FLOOD, FLOOD, FLOOD]);
    // Once full, further waves must not add what the first one did: the growth from wave 1 to wave 3
    // stays well under the growth of wave 1 itself.
    const firstWave = heaps[1]! - heaps[0]!;
    const later = heaps[3]! - heaps[1]!;
    console.log(
      `[flood] heap growth: wave 1 +${mib(firstWave)} MiB (tables filling), waves 2–3 ${later >= 0 ? '+' : ''}${mib(later)} MiB (tables full)`,
    );
    expect(later).toBeLessThan(Math.max(firstWave / 4, 8 * 2 ** 20));
    expect(await verify(ipFor(9 * FLOOD), known)).toBe('valid');
    // 300,000 verifications of new values, each a database lookup: ~30 s on a 2-core VM (the same on the
    // commit before rotation's previous-secret lookup, measured), so its own budget, not the default 30 s.
  }, 120_000);
});
