import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { createRateLimits, leaseSize, type RateLimitOutcome } from '../../src/verify/rate-limits.js';

/**
 * The verify path's rate limits (issue 15) on their own: fixed windows aligned to an injected clock,
 * several named windows per token, leases from the store, and instances sharing one Redis.
 */
const REDIS_URL = process.env.LATCHKEY_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const T0 = Date.parse('2026-06-01T00:00:00Z');

const settle = async (o: RateLimitOutcome | Promise<RateLimitOutcome>) => await o;
const freshToken = () => `tok_${randomBytes(8).toString('hex')}`;

describe('rate limits with an injected clock', () => {
  it('allows up to the limit, refuses after, and allows again once the window has passed', async () => {
    let now = T0;
    const limits = createRateLimits({ now: () => now });
    const rules = [{ name: 'burst', limit: 5, windowSeconds: 1 }];
    const outcomes = [];
    for (let i = 0; i < 7; i++) outcomes.push(await settle(limits.admit('tok_a', rules)));
    expect(outcomes.map((o) => o.ok)).toEqual([true, true, true, true, true, false, false]);
    expect(outcomes.map((o) => o.state.remaining)).toEqual([4, 3, 2, 1, 0, 0, 0]);
    expect(outcomes[6]!.state).toMatchObject({
      name: 'burst',
      limit: 5,
      resetAt: '2026-06-01T00:00:01.000Z',
    });

    now = T0 + 999; // same window
    expect((await settle(limits.admit('tok_a', rules))).ok).toBe(false);
    now = T0 + 1000; // the next one
    const again = await settle(limits.admit('tok_a', rules));
    expect(again).toMatchObject({ ok: true, state: { remaining: 4, resetAt: '2026-06-01T00:00:02.000Z' } });
    // Another token has windows of its own.
    expect((await settle(limits.admit('tok_b', rules))).ok).toBe(true);
  });

  it('checks every window, spends none when one refuses, and reports the tightest', async () => {
    let now = T0;
    const limits = createRateLimits({ now: () => now });
    const rules = [
      { name: 'second', limit: 3, windowSeconds: 1 },
      { name: 'minute', limit: 5, windowSeconds: 60 },
    ];
    const seen = [];
    for (let second = 0; second < 3; second++) {
      now = T0 + second * 1000;
      for (let i = 0; i < 4; i++) seen.push(await settle(limits.admit('tok_c', rules)));
    }
    // 3 in the first second, 2 more in the next (the minute's 5), none in the third.
    expect(seen.filter((o) => o.ok)).toHaveLength(5);
    expect(seen.map((o) => (o.ok ? 'ok' : o.state.name))).toEqual([
      ...['ok', 'ok', 'ok', 'second'],
      ...['ok', 'ok', 'minute', 'minute'],
      ...['minute', 'minute', 'minute', 'minute'],
    ]);
    // The tightest window is the one reported on an allow: after 4 of the minute's 5, one is left.
    expect(seen[4]!.state).toMatchObject({ name: 'minute', remaining: 1 });
    // A refusal by `minute` did not spend from `second`: in a new minute, `second` has all 3 again.
    now = T0 + 60_000;
    const next = [];
    for (let i = 0; i < 4; i++) next.push((await settle(limits.admit('tok_c', rules))).ok);
    expect(next).toEqual([true, true, true, false]);
  });

  it('a changed limit starts a fresh count on this instance; leases are a twentieth of the limit', async () => {
    const now = T0;
    const limits = createRateLimits({ now: () => now });
    for (let i = 0; i < 2; i++)
      await settle(limits.admit('tok_d', [{ name: 'w', limit: 2, windowSeconds: 60 }]));
    expect((await settle(limits.admit('tok_d', [{ name: 'w', limit: 2, windowSeconds: 60 }]))).ok).toBe(
      false,
    );
    // Raised to 4: the store kept the 2 spent in this window, so 2 more.
    const raised = [];
    for (let i = 0; i < 3; i++)
      raised.push((await settle(limits.admit('tok_d', [{ name: 'w', limit: 4, windowSeconds: 60 }]))).ok);
    expect(raised).toEqual([true, true, false]);
    expect([leaseSize(1), leaseSize(50), leaseSize(10_000), leaseSize(1e9)]).toEqual([1, 3, 500, 500]);
  });

  it('answers synchronously while the instance holds a lease (no promise on the hot path)', async () => {
    const limits = createRateLimits({ now: () => T0 });
    const rules = [{ name: 'day', limit: 10_000, windowSeconds: 86_400 }];
    expect(limits.admit('tok_e', rules)).toBeInstanceOf(Promise); // the first asks the store
    await settle(limits.admit('tok_e', rules));
    let sync = 0;
    for (let i = 0; i < 100; i++) if (!(limits.admit('tok_e', rules) instanceof Promise)) sync += 1;
    expect(sync).toBeGreaterThanOrEqual(95);
  });
});

describe('three instances sharing one Redis', () => {
  const clients: Redis[] = [];
  afterAll(() => {
    for (const c of clients) c.disconnect();
  });

  it('never admit more than the limit between them, and leave at most 1.25 leases each unspent', async () => {
    const instances = Array.from({ length: 3 }, () => {
      const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
      clients.push(redis);
      return createRateLimits({ redis });
    });
    const limit = 200;
    // A window as long as the store allows: none ends during the test.
    const rules = [{ name: 'shared', limit, windowSeconds: 7 * 86_400 }];
    const token = freshToken();
    // 600 requests, concurrently, spread over the instances as a balancer would.
    const outcomes = await Promise.all(
      Array.from({ length: 600 }, (_, i) => settle(instances[i % 3]!.admit(token, rules))),
    );
    const admitted = outcomes.filter((o) => o.ok).length;
    expect(admitted).toBeLessThanOrEqual(limit);
    expect(admitted).toBeGreaterThanOrEqual(limit - Math.ceil(3 * 1.25 * leaseSize(limit)));
    // And the store's own count agrees that no more was granted than the limit.
    const keys = await clients[0]!.keys(`*${token}*`);
    expect(keys).toHaveLength(1);
    expect(Number(await clients[0]!.get(keys[0]!))).toBeGreaterThanOrEqual(limit);
  });

  it('with Redis gone, an instance counts alone in memory (fails to its own limit, not open)', async () => {
    const dead = new Redis('redis://127.0.0.1:1', {
      maxRetriesPerRequest: 0,
      enableOfflineQueue: false,
      lazyConnect: true,
    });
    clients.push(dead);
    const limits = createRateLimits({ redis: dead });
    const rules = [{ name: 'w', limit: 3, windowSeconds: 7 * 86_400 }];
    const token = freshToken();
    const seen = [];
    for (let i = 0; i < 5; i++) seen.push((await settle(limits.admit(token, rules))).ok);
    expect(seen).toEqual([true, true, true, false, false]);
  });
});
