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
    r.record('tok_b', 'https://first.example', '203.0.113.9');
    tick();
    for (let i = 0; i < 30; i++) {
      r.record('tok_b', `https://s${i}.example`, null);
      tick();
    }
    r.record('tok_b', 'https://s29.example', '::ffff:203.0.113.9');
    await r.flush();
    const b = batches[0]!.get('tok_b')!;
    const origins = b.sources!.filter((s) => s.kind === 'origin');
    expect(origins).toHaveLength(MAX_SOURCES);
    expect(origins.map((o) => o.value)).not.toContain('https://first.example');
    expect(origins.find((o) => o.value === 'https://s29.example')).toMatchObject({ count: 2 });
    // Two spellings of one address are one source.
    expect(b.sources!.filter((s) => s.kind === 'address')).toEqual([
      {
        kind: 'address',
        value: '203.0.113.9',
        firstSeen: '2026-06-01T12:00:00.000Z',
        lastSeen: '2026-06-01T12:00:00.031Z',
        count: 2,
      },
    ]);
    expect(b.days.get('2026-06-01')).toBe(32);
  });
});
