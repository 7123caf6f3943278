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

  it('tells a limited address, in whole seconds (at least 1), how long until its window ends', () => {
    let t = 1_000_000;
    const l = createFailureLimiter({ limit: 1, windowMs: 7_000, now: () => t });
    l.recordFailure('10.0.0.1');
    l.recordFailure('10.0.0.1');
    expect(l.isLimited('10.0.0.1')).toBe(true);
    expect(l.retryAfterSeconds('10.0.0.1')).toBe(7);
    t += 2_500;
    expect(l.retryAfterSeconds('10.0.0.1')).toBe(5);
    t += 4_900;
    expect(l.retryAfterSeconds('10.0.0.1')).toBe(1);
    // Not limited yet, but its lookups in flight used the window up: until the window rolls over.
    const busy = createFailureLimiter({ limit: 1, windowMs: 30_000, now: () => t });
    expect([
      busy.admitLookup('10.0.0.2'),
      busy.admitLookup('10.0.0.2'),
      busy.admitLookup('10.0.0.2'),
    ]).toEqual([true, true, false]);
    expect(busy.retryAfterSeconds('10.0.0.2')).toBe(30);
  });
});

describe('verify failure limiter, IPv6', () => {
  it("counts an IPv6 client's whole /64 as one address: a new address per guess does not reset the count", () => {
    let t = 1_000_000;
    const l = createFailureLimiter({ limit: 10, windowMs: 60_000, now: () => t });
    const inPrefix = (i: number) => `2001:db8:7:1:${i.toString(16)}::${(i * 7).toString(16)}`;
    for (let i = 0; i <= 10; i++) l.recordFailure(inPrefix(i));
    expect(l.isLimited(inPrefix(500))).toBe(true);
    expect(l.isLimited('2001:db8:7:1:ffff:ffff:ffff:ffff')).toBe(true);
    expect(l.admitLookup(inPrefix(501))).toBe(false);
    expect(l.retryAfterSeconds(inPrefix(502))).toBe(60);
    // The next /64, and an IPv4 client, are other clients.
    expect(l.isLimited('2001:db8:7:2::1')).toBe(false);
    expect(l.isLimited('203.0.113.7')).toBe(false);
    expect(l.stats()).toMatchObject({ countedAddresses: 1, limitedAddresses: 1 });
    t += 60_000;
    expect(l.isLimited(inPrefix(500))).toBe(false);
  });

  it('counts lookups in flight per /64 as well', () => {
    const l = createFailureLimiter({ limit: 1, windowMs: 60_000, now: () => 5_000 });
    expect([
      l.admitLookup('2001:db8::1'),
      l.admitLookup('2001:db8::2'),
      l.admitLookup('2001:db8::3'),
    ]).toEqual([true, true, false]);
    l.lookupDone('2001:db8::1');
    expect(l.admitLookup('2001:db8::4')).toBe(true);
  });

  it('an IPv4 client written as IPv4-mapped IPv6 is that IPv4 client', () => {
    const l = createFailureLimiter({ limit: 2, windowMs: 60_000, now: () => 5_000 });
    l.recordFailure('198.51.100.4');
    l.recordFailure('::ffff:198.51.100.4');
    l.recordFailure('198.51.100.4');
    expect(l.isLimited('::ffff:198.51.100.4')).toBe(true);
    expect(l.isLimited('198.51.100.5')).toBe(false);
  });
});

describe('verify failure limiter memory', () => {
  it('counts at most maxAddresses addresses, forgetting the one counted longest ago', () => {
    const l = createFailureLimiter({ limit: 2, windowMs: 60_000, maxAddresses: 100, now: () => 5_000 });
    for (let i = 0; i < 1000; i++) l.recordFailure(`10.0.${i >> 8}.${i & 255}`);
    expect(l.stats().countedAddresses).toBe(100);
    // A busy address is still counted and limited while others churn through the bounded table.
    for (let i = 0; i < 3; i++) l.recordFailure('192.0.2.1');
    expect(l.isLimited('192.0.2.1')).toBe(true);
  });

  it('holds at most maxAddresses limited addresses, and drops expired limits when the window rolls', () => {
    let t = 0;
    const l = createFailureLimiter({ limit: 1, windowMs: 60_000, maxAddresses: 50, now: () => t });
    for (let i = 0; i < 200; i++) {
      l.recordFailure(`10.1.0.${i}`);
      l.recordFailure(`10.1.0.${i}`);
    }
    expect(l.stats().limitedAddresses).toBe(50);
    t += 60_000; // the next window: limits from the last one are over and must not pile up
    l.recordFailure('10.2.0.1');
    expect(l.stats()).toEqual({ countedAddresses: 1, limitedAddresses: 0, lookupsInFlight: 0 });
  });
});

describe('verify failure limiter under concurrency', () => {
  it('counts lookups in flight with failures, so a burst cannot pass the check all at once', () => {
    const l = createFailureLimiter({ limit: 3, windowMs: 60_000, now: () => 1 });
    // Ten requests from one address arrive before any lookup has answered: only limit + 1 may go on.
    const admitted = Array.from({ length: 10 }, () => l.admitLookup('10.0.0.9')).filter(Boolean).length;
    expect(admitted).toBe(4);
    expect(l.admitLookup('10.0.0.10')).toBe(true); // other addresses are not affected
    for (let i = 0; i < 4; i++) {
      l.lookupDone('10.0.0.9');
      l.recordFailure('10.0.0.9');
    }
    expect(l.admitLookup('10.0.0.9')).toBe(false);
    expect(l.isLimited('10.0.0.9')).toBe(true);
  });

  it('frees the slot of a lookup that found a valid token (not a failure)', () => {
    const l = createFailureLimiter({ limit: 1, windowMs: 60_000, now: () => 1 });
    expect(l.admitLookup('10.0.0.1')).toBe(true);
    expect(l.admitLookup('10.0.0.1')).toBe(true);
    expect(l.admitLookup('10.0.0.1')).toBe(false);
    l.lookupDone('10.0.0.1');
    l.lookupDone('10.0.0.1');
    expect(l.stats().lookupsInFlight).toBe(0);
    expect(l.admitLookup('10.0.0.1')).toBe(true);
  });
});
