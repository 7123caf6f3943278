import type { InvalidationBus } from './invalidation.js';

/**
 * Which token hashes may exist: a Bloom filter over the SHA-256 hashes of every token in the database
 * (revoked and expired ones too: they exist, and deserve their own answer). It answers "certainly not"
 * or "maybe", never a wrong "not".
 *
 * Used for one thing: an address over its invalid-token limit is answered from the cache only — except
 * for a value the filter says may exist, which is looked up as usual. So the limiter never refuses a
 * token that exists, and a flood of random values reaches the database only at the false-positive rate
 * (see `falsePositiveRate`; under 1 in 10,000 at full capacity, far less below it). Every other request
 * is decided as before: the filter never short-cuts a lookup, since another instance's brand-new token
 * may not have reached it yet.
 *
 * Kept current by the invalidation events: token creation and import publish `{kind: 'token', hash}`,
 * locally and, through PostgreSQL NOTIFY, on every instance. `all` (the cross-instance feed was
 * interrupted: creations may have been missed) reloads it from the database, as does outgrowing its
 * capacity (it is sized for twice the tokens found, at least DEFAULT_MIN_CAPACITY). A reload keeps
 * answering from the old filter and adds what arrives meanwhile to both.
 *
 * The indexes come straight from the hash (it is uniformly random already): two 32-bit slices combined
 * as h1 + i·h2 (Kirsch–Mitzenmacher), no further hashing.
 */
export interface TokenPresenceOptions {
  /** How many tokens exist (to size the filter before reading them). */
  count: () => Promise<number>;
  /** Reads every token hash, in pages. */
  scan: () => AsyncIterable<readonly string[]>;
  bus: InvalidationBus;
  /** Least number of hashes the filter is sized for. */
  minCapacity?: number;
  bitsPerEntry?: number;
  onError?: (err: unknown) => void;
}

export interface PresenceStats {
  entries: number;
  capacity: number;
  bits: number;
  hashes: number;
  /** Estimated for the current number of entries. */
  falsePositiveRate: number;
  reloads: number;
}

export interface TokenPresence {
  /** False: no token has this hash. True: one may (or the hash is not a SHA-256 hex string). */
  mayExist(hash: string): boolean;
  add(hash: string): void;
  /** Rebuilds from the database (at start, after `all`, on outgrowing its capacity). */
  reload(): Promise<void>;
  stats(): PresenceStats;
  close(): void;
}

export const DEFAULT_MIN_CAPACITY = 1 << 20;
export const DEFAULT_BITS_PER_ENTRY = 20;
const HEX64 = /^[0-9a-f]{64}$/;

class Bloom {
  readonly words: Uint32Array;
  readonly bits: number;
  readonly k: number;
  entries = 0;
  constructor(
    readonly capacity: number,
    bitsPerEntry: number,
  ) {
    this.bits = Math.min(2 ** 32, Math.ceil((capacity * bitsPerEntry) / 32) * 32);
    this.words = new Uint32Array(this.bits / 32);
    this.k = Math.max(1, Math.round((this.bits / capacity) * Math.LN2));
  }
  private indexes(hash: string, visit: (word: number, mask: number) => boolean): boolean {
    const h1 = parseInt(hash.slice(0, 8), 16);
    const h2 = (parseInt(hash.slice(8, 16), 16) | 1) >>> 0; // odd, and unsigned: `|` yields an int32
    for (let i = 0; i < this.k; i++) {
      const bit = (h1 + i * h2) % this.bits;
      if (!visit(bit >>> 5, 1 << (bit & 31))) return false;
    }
    return true;
  }
  add(hash: string): void {
    let fresh = false;
    this.indexes(hash, (w, m) => {
      if ((this.words[w]! & m) === 0) fresh = true;
      this.words[w]! |= m;
      return true;
    });
    if (fresh) this.entries += 1; // a hash added again (a revocation's event) is not counted twice
  }
  has(hash: string): boolean {
    return this.indexes(hash, (w, m) => (this.words[w]! & m) !== 0);
  }
  falsePositiveRate(): number {
    return (1 - Math.exp((-this.k * this.entries) / this.bits)) ** this.k;
  }
}

export async function createTokenPresence(o: TokenPresenceOptions): Promise<TokenPresence> {
  const minCapacity = o.minCapacity ?? DEFAULT_MIN_CAPACITY;
  const bitsPerEntry = o.bitsPerEntry ?? DEFAULT_BITS_PER_ENTRY;
  let current = new Bloom(minCapacity, bitsPerEntry);
  /** Hashes added while a reload runs, replayed into the new filter. */
  let arrivedDuringReload: string[] | null = null;
  let running: Promise<void> | null = null;
  let again = false;
  let reloads = 0;

  async function rebuild(arrived: readonly string[]): Promise<void> {
    const next = new Bloom(Math.max(minCapacity, 2 * (await o.count()), 2 * current.entries), bitsPerEntry);
    for await (const page of o.scan()) for (const h of page) if (HEX64.test(h)) next.add(h);
    for (const h of arrived) next.add(h);
    current = next;
    reloads += 1;
  }

  function reload(): Promise<void> {
    if (running) {
      again = true; // something changed after this reload began reading: read once more
      return running;
    }
    running = (async () => {
      const arrived: string[] = [];
      arrivedDuringReload = arrived;
      try {
        do {
          again = false;
          await rebuild(arrived);
        } while (again);
      } finally {
        arrivedDuringReload = null;
        running = null;
      }
    })();
    return running;
  }

  function add(hash: string): void {
    if (!HEX64.test(hash)) return;
    current.add(hash);
    arrivedDuringReload?.push(hash);
    if (current.entries > current.capacity && !running) reload().catch((err: unknown) => o.onError?.(err));
  }

  const unsubscribe = o.bus.subscribe((e) => {
    if (e.kind === 'token') add(e.hash);
    else if (e.kind === 'all') reload().catch((err: unknown) => o.onError?.(err));
  });
  try {
    await reload();
  } catch (err) {
    unsubscribe();
    throw err;
  }

  return {
    mayExist: (hash) => !HEX64.test(hash) || current.has(hash),
    add,
    reload,
    stats: () => ({
      entries: current.entries,
      capacity: current.capacity,
      bits: current.bits,
      hashes: current.k,
      falsePositiveRate: current.falsePositiveRate(),
      reloads,
    }),
    close: unsubscribe,
  };
}
