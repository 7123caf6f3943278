import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateToken, hashToken } from '../../src/domain/token-format.js';
import { answerBody, verifyAnswer, verifyAnswerObject } from '../../src/http/verify-answer.js';
import {
  createOrg,
  createServiceAccount,
  createToken,
  startInstance,
  type TestInstance,
} from '../helpers/harness.js';
import { heapAfterGc } from '../helpers/heap.js';

/**
 * Issue #12 rows 7–8: with a million tokens in use, what each verified token keeps in memory is what the
 * garbage collector walks on every major collection (a server holding a million cached tokens was 2.2 GiB
 * and spent half its CPU there). What the verifier and the `/verify` answer prepare per token — identity,
 * the reusable valid answer, its bytes — is measured here on the heap, after a full collection, for
 * TOKENS tokens of two service accounts in two orgs (bench/cache-memory.mjs prints the same figures at any
 * size).
 * The answer bytes common to an owner's tokens (~500 here, ~730 with an admin's permission list) must be kept
 * once, not once per token: before that, each token cost ~1,190 bytes here.
 */
const TOKENS = 20_000;
/**
 * Bytes per token the prepared identity and answer may keep: measured ~435 on Node 20; per-token org and
 * owner objects and domain sets again add ~240 (measured), a per-token copy of the answer its ~520 bytes.
 */
const PREPARED_BUDGET = 560;

describe(`memory per verified token (${TOKENS.toLocaleString('en')} tokens of two owners)`, () => {
  let lk: TestInstance;
  const values: string[] = [];
  beforeAll(async () => {
    lk = await startInstance({ LATCHKEY_VERIFY_CACHE_ENTRIES: String(TOKENS + 10) });
    // Two orgs with a service account each, half the tokens each: answers of different owners and orgs mixed.
    const db = lk.handle.db;
    for (const half of [0, 1]) {
      const org = await createOrg(lk);
      const sa = await createServiceAccount(lk, org, `many-tokens-${half}`);
      const { item } = await createToken(lk, org, { serviceAccountId: sa.id });
      // Copies of that token's row, each with its own id and value, straight into the store (the API would
      // take minutes for this many).
      const template = await db
        .selectFrom('tokens')
        .selectAll()
        .where('id', '=', item.id)
        .executeTakeFirstOrThrow();
      for (let start = 0; start < TOKENS / 2; start += 500) {
        const rows = [];
        for (let i = start; i < Math.min(TOKENS / 2, start + 500); i++) {
          const value = generateToken('private');
          values.push(value);
          rows.push({
            ...template,
            id: `tok_${randomBytes(10).toString('hex')}`,
            name: `copy ${i}`,
            hash: hashToken(value),
          });
        }
        await db.insertInto('tokens').values(rows).execute();
      }
    }
  });
  afterAll(() => lk.close());

  it('an answered token keeps its identity and answer in a few hundred bytes, its owner’s answer text once', async () => {
    for (const value of values) expect(await lk.lookup.byHash(hashToken(value))).not.toBeNull();
    const cachedOnly = heapAfterGc();

    const bodies = new Set<string>();
    const orgs = new Set<string>();
    let smallestAnswer = Infinity;
    for (const value of values) {
      const result = await lk.verifier.verify({ token: value, origin: null });
      expect(result.code).toBe('valid');
      const answer = verifyAnswer(result);
      const body = answerBody(answer);
      bodies.add(body);
      // The answer of this token (its own id, org and owner), in full.
      expect(JSON.parse(body)).toEqual(JSON.parse(JSON.stringify(verifyAnswerObject(result))));
      expect(Buffer.byteLength(body)).toBe(answer.bytes);
      if (result.valid) orgs.add(result.org.id);
      smallestAnswer = Math.min(smallestAnswer, answer.bytes);
    }
    expect(bodies.size).toBe(TOKENS);
    expect(orgs.size).toBe(2);
    bodies.clear(); // joined copies, made here only
    await lk.usage.flush();
    const answered = heapAfterGc();

    const perToken = (answered - cachedOnly) / TOKENS;
    console.log(`[cache-memory] prepared identity and answer: ${Math.round(perToken)} bytes per token`);
    expect(lk.lookup.stats().size).toBeGreaterThanOrEqual(TOKENS); // every copy still cached
    expect(perToken).toBeLessThan(PREPARED_BUDGET);
    // And something is kept per token (the identity, its answer's pieces): the figure measures the cache.
    expect(perToken).toBeGreaterThan(100);
    // What is kept plus a whole copy of the answer would not fit: the budget tells sharing from copying.
    expect(perToken + smallestAnswer).toBeGreaterThan(PREPARED_BUDGET);
  });
});
