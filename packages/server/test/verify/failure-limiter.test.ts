import { describe, expect, it } from 'vitest';
import { createFailureLimiter } from '../../src/verify/failure-limiter.js';

describe('verify failure limiter', () => {
  it('limits an address after `limit` failures in a window, only that address, until the window ends', () => {
    let t = 1_000_000;
    const l = createFailureLimiter({ limit: 3, windowMs: 60_000, now: () => t });
    for (let i = 0; i < 3; i++) l.recordFailure('10.0.0.1');
    expect(l.isLimited('10.0.0.1')).toBe(false);
    l.recordFailure('10.0.0.1');
    expect(l.isLimited('10.0.0.1')).toBe(true);
    expect(l.isLimited('10.0.0.2')).toBe(false);
    t += 60_000;
    expect(l.isLimited('10.0.0.1')).toBe(false);
  });
});
