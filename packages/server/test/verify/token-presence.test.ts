import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createLocalBus } from '../../src/verify/invalidation.js';
import { createTokenPresence } from '../../src/verify/token-presence.js';

const randomHash = () => randomBytes(32).toString('hex');

function source(hashes: string[]) {
  let scans = 0;
  return {
    hashes,
    scans: () => scans,
    count: () => Promise.resolve(hashes.length),
    async *scan() {
      scans += 1;
      for (let i = 0; i < hashes.length; i += 1000) yield hashes.slice(i, i + 1000);
    },
  };
}

describe('the token presence filter (issue #11 finding 5)', () => {
  it('never says "no" for a hash it holds: loaded, added by event, whatever the hash bits', async () => {
    const loaded = Array.from({ length: 20_000 }, randomHash);
    const bus = createLocalBus();
    const p = await createTokenPresence({ ...source(loaded), bus, minCapacity: 50_000 });
    const added = Array.from({ length: 20_000 }, randomHash);
    bus.publish(added.map((hash, i) => ({ kind: 'token' as const, tokenId: `tok_${i}`, hash })));
    // High bits set in either 32-bit slice once made a negative index (and a false "no").
    const edgy = ['ffffffffffffffff', '8000000080000000', '0000000000000000', '7fffffff80000001'].map(
      (prefix) => prefix + randomHash().slice(16),
    );
    for (const h of edgy) p.add(h);
    for (const h of [...loaded, ...added, ...edgy]) expect(p.mayExist(h), h).toBe(true);
    p.close();
  });

  it('answers "maybe" for values it does not hold at about the rate it states, at full capacity', async () => {
    const capacity = 20_000;
    const p = await createTokenPresence({ ...source([]), bus: createLocalBus(), minCapacity: capacity });
    for (let i = 0; i < capacity; i++) p.add(randomHash());
    const { falsePositiveRate, entries } = p.stats();
    expect(entries).toBeGreaterThan(capacity * 0.99); // a few may collide exactly with earlier bits
    expect(falsePositiveRate).toBeLessThan(1e-4);
    const trials = 200_000;
    let maybes = 0;
    for (let i = 0; i < trials; i++) if (p.mayExist(randomHash())) maybes += 1;
    console.log(
      `[presence] ${entries} hashes in ${p.stats().bits} bits, ${p.stats().hashes} indexes: ${maybes} of ${trials} unknown values "maybe" (stated rate ${falsePositiveRate.toExponential(2)})`,
    );
    expect(maybes).toBeLessThanOrEqual(Math.ceil(trials * falsePositiveRate * 4) + 5);
    p.close();
  });

  it('treats a value that is not a SHA-256 hex hash as "maybe" (never refuses what it cannot judge)', async () => {
    const p = await createTokenPresence({ ...source([]), bus: createLocalBus() });
    expect(p.mayExist('not-a-hash')).toBe(true);
    expect(p.mayExist(randomHash())).toBe(false);
    p.close();
  });

  it('reloads from the database on `all`, keeping what arrived during the reload, and grows past its capacity', async () => {
    const db = source(Array.from({ length: 100 }, randomHash));
    const bus = createLocalBus();
    const p = await createTokenPresence({ ...db, bus, minCapacity: 1000 });
    expect(db.scans()).toBe(1);
    // Created while this instance was not listening: only a reload can learn it.
    const missed = randomHash();
    db.hashes.push(missed);
    expect(p.mayExist(missed)).toBe(false);
    bus.deliverRemote([{ kind: 'all' }]);
    const during = randomHash();
    p.add(during); // arrives while the reload reads
    await p.reload();
    expect(p.mayExist(missed)).toBe(true);
    expect(p.mayExist(during)).toBe(true);
    // Outgrowing the capacity rebuilds it larger (twice the tokens found).
    for (let i = 0; i < 1200; i++) {
      const h = randomHash();
      db.hashes.push(h);
      p.add(h);
    }
    await p.reload();
    expect(p.stats().capacity).toBeGreaterThanOrEqual(2 * db.hashes.length);
    for (const h of db.hashes) expect(p.mayExist(h)).toBe(true);
    p.close();
  });
});
