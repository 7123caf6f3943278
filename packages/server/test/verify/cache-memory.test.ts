import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateToken, hashToken } from '../../src/domain/token-format.js';
import { answerBody, verifyAnswer } from '../../src/http/verify-answer.js';
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
 * TOKENS tokens of one service account (bench/cache-memory.mjs prints the same figures at any size).
 * The answer bytes common to an owner's tokens (~700 of them, mostly the permission list) must be kept
 * once, not once per token: before that, each token cost ~1,190 bytes here.
 */
const TOKENS = 20_000;
/** Bytes per token the prepared identity and answer may keep (measured ~440 on Node 20). */
const PREPARED_BUDGET = 700;

describe(`memory per verified token (${TOKENS.toLocaleString('en')} tokens of one owner)`, () => {
  let lk: TestInstance;
  const values: string[] = [];
  beforeAll(async () => {
    lk = await startInstance({ LATCHKEY_VERIFY_CACHE_ENTRIES: String(TOKENS + 10) });
    const org = await createOrg(lk);
    const sa = await createServiceAccount(lk, org, 'many-tokens');
    const { item } = await createToken(lk, org, { serviceAccountId: sa.id });
    // Copies of one token row, each with its own id and value, straight into the store (the API would take
    // minutes for this many).
    const db = lk.handle.db;
    const template = await db
      .selectFrom('tokens')
      .selectAll()
      .where('id', '=', item.id)
      .executeTakeFirstOrThrow();
    for (let start = 0; start < TOKENS; start += 500) {
      const rows = [];
      for (let i = start; i < Math.min(TOKENS, start + 500); i++) {
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
  });
  afterAll(() => lk.close());

  it('an answered token keeps its identity and answer in a few hundred bytes, its owner’s answer text once', async () => {
    for (const value of values) expect(await lk.lookup.byHash(hashToken(value))).not.toBeNull();
    const cachedOnly = heapAfterGc();

    const bodies = new Set<string>();
    for (const value of values) {
      const result = await lk.verifier.verify({ token: value, origin: null });
      expect(result.code).toBe('valid');
      const body = answerBody(verifyAnswer(result));
      bodies.add(body);
      // The same bytes the serializer makes, each naming its own token.
      expect(body).toContain(`"tokenId":"${result.valid ? result.tokenId : ''}"`);
    }
    expect(bodies.size).toBe(TOKENS);
    bodies.clear(); // joined copies, made here only
    await lk.usage.flush();
    const answered = heapAfterGc();

    const perToken = (answered - cachedOnly) / TOKENS;
    console.log(`[cache-memory] prepared identity and answer: ${Math.round(perToken)} bytes per token`);
    expect(lk.lookup.stats().size).toBeGreaterThanOrEqual(TOKENS); // every copy still cached
    expect(perToken).toBeLessThan(PREPARED_BUDGET);
  });
});
