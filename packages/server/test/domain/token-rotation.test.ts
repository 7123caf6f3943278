import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_OVERLAP_SECONDS, retireAtAllowed } from '../../src/domain/token-rotation.js';

describe('retire=at bounds', () => {
  const now = Date.parse('2026-12-06T12:00:00.000Z');
  const max = MAX_OVERLAP_SECONDS * 1000;

  it.each([
    ['a millisecond ahead', now + 1, true],
    ['exactly the longest overlap ahead', now + max, true],
    ['now', now, false],
    ['the past', now - 1, false],
    ['past the longest overlap', now + max + 1, false],
    ['not a time', NaN, false],
  ])('%s → %s', (_what, at, allowed) => {
    expect(retireAtAllowed(at, now)).toBe(allowed);
  });

  it('accepts exactly the times in (now, now + the longest overlap]', () => {
    fc.assert(
      fc.property(fc.integer({ min: -2 * max, max: 2 * max }), (offset) => {
        expect(retireAtAllowed(now + offset, now)).toBe(offset > 0 && offset <= max);
      }),
    );
  });
});
