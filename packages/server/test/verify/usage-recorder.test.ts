import { describe, expect, it } from 'vitest';
import type { UsageBatch } from '../../src/store/queries/usage.js';
import { createUsageRecorder, MAX_SOURCES } from '../../src/verify/usage.js';

/** The usage recorder's analytics on their own (issue 15): refusals by code, origins and addresses seen. */
function recorder(start = Date.parse('2026-06-01T12:00:00Z')) {
  let now = start;
  const batches: UsageBatch[] = [];
  const r = createUsageRecorder({
    store: { applyUsage: async (b) => void batches.push(b) },
    intervalMs: 3_600_000,
    now: () => now,
  });
  return { r, batches, tick: (ms = 1) => (now += ms) };
}

describe('usage recorder analytics', () => {
  it('counts refusals by day and code; a token only refused has no last use and no success days', async () => {
    const { r, batches } = recorder();
    r.recordRefusal('tok_a', 'token_revoked');
    r.recordRefusal('tok_a', 'token_revoked');
    r.recordRefusal('tok_a', 'rate_limited');
    await r.flush();
    const a = batches[0]!.get('tok_a')!;
    expect(a.lastUsedAt).toBeNull();
    expect([...a.days]).toEqual([]);
    expect([...a.refusals!]).toEqual([
      ['2026-06-01\ntoken_revoked', 2],
      ['2026-06-01\nrate_limited', 1],
    ]);
  });

  it('keeps the most recent MAX_SOURCES origins per token between flushes, with first and last seen', async () => {
    const { r, batches, tick } = recorder();
    r.record('tok_b', 'https://first.example', null);
    tick();
    for (let i = 0; i < MAX_SOURCES + 10; i++) {
      r.record('tok_b', `https://s${i}.example`, null);
      tick();
    }
    r.record('tok_b', `https://s${MAX_SOURCES + 9}.example`, '203.0.113.9');
    tick();
    r.record('tok_b', `https://s${MAX_SOURCES + 9}.example`, '::ffff:203.0.113.9');
    await r.flush();
    // The first new source past the bound asked for an early flush, which took the first MAX_SOURCES.
    expect(batches).toHaveLength(2);
    const all = batches.flatMap((batch) => batch.get('tok_b')!.sources!);
    const origins = all.filter((s) => s.kind === 'origin');
    expect(new Set(origins.map((o) => o.value)).size).toBe(MAX_SOURCES + 11);
    expect(origins.find((o) => o.value === `https://s${MAX_SOURCES + 9}.example`)).toMatchObject({
      count: 3,
    });
    const b = batches[1]!.get('tok_b')!;
    // Two spellings of one address are one source.
    expect(b.sources!.filter((s) => s.kind === 'address')).toEqual([
      {
        kind: 'address',
        value: '203.0.113.9',
        firstSeen: `2026-06-01T12:00:00.${String(MAX_SOURCES + 11).padStart(3, '0')}Z`,
        lastSeen: `2026-06-01T12:00:00.${String(MAX_SOURCES + 12).padStart(3, '0')}Z`,
        count: 2,
      },
    ]);
    expect([...batches.map((x) => x.get('tok_b')!.days.get('2026-06-01')!)].reduce((a, c) => a + c)).toBe(
      MAX_SOURCES + 13,
    );
  });

  it('a stream of new sources beyond the bound between two early flushes replaces the oldest', async () => {
    const { r, batches, tick } = recorder();
    // All in the same millisecond: one early flush only, so the bound holds for the rest.
    for (let i = 0; i < MAX_SOURCES * 2; i++) r.record('tok_c', null, `198.51.100.${i % 250}`);
    tick();
    await r.flush();
    const addresses = batches.flatMap((batch) => batch.get('tok_c')?.sources ?? []);
    expect(addresses.length).toBeLessThanOrEqual(MAX_SOURCES * 2);
    expect(batches.every((batch) => (batch.get('tok_c')?.sources?.length ?? 0) <= MAX_SOURCES)).toBe(true);
  });
});
