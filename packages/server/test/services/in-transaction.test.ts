import { describe, expect, it } from 'vitest';
import type { InvalidationEvent } from '../../src/domain/invalidation-event.js';
import { inTransaction, type ServiceDeps } from '../../src/services/context.js';
import type { Store } from '../../src/store/store.js';

/**
 * A change that joins an open transaction (the bulk action's token changes) must not tell the caches
 * before that transaction commits: a verification in between would re-learn the old state and keep it.
 */
function fakeStore(log: string[]): Store {
  const store = {
    inTx: false,
    async notifyInvalidation() {},
    async transaction<T>(fn: (tx: Store) => Promise<T>): Promise<T> {
      if (this.inTx) return fn(this as unknown as Store);
      const tx = { ...this, inTx: true };
      const r = await fn(tx as unknown as Store);
      log.push('commit');
      return r;
    },
  };
  return store as unknown as Store;
}

const revoked = (hash: string): InvalidationEvent => ({ kind: 'token', tokenId: `tok_${hash}`, hash });

describe('inTransaction', () => {
  it('publishes joined changes once, after the outer commit, with its own', async () => {
    const log: string[] = [];
    const deps = {
      store: fakeStore(log),
      bus: { publish: (events: InvalidationEvent[]) => log.push(`publish ${events.length}`) },
    } as unknown as ServiceDeps;
    await inTransaction(deps, async (tx, events) => {
      for (const hash of ['a', 'b']) {
        await inTransaction(
          deps,
          async (_inner, innerEvents) => {
            innerEvents.invalidations.push(revoked(hash));
          },
          tx,
        );
        log.push(`changed ${hash}`);
      }
      events.invalidations.push(revoked('c'));
    });
    expect(log).toEqual(['changed a', 'changed b', 'commit', 'publish 3']);
  });

  it('publishes nothing when the outer change fails', async () => {
    const log: string[] = [];
    const deps = {
      store: fakeStore(log),
      bus: { publish: () => log.push('publish') },
    } as unknown as ServiceDeps;
    await expect(
      inTransaction(deps, async (tx) => {
        await inTransaction(deps, async (_i, e) => void e.invalidations.push(revoked('a')), tx);
        throw new Error('refused');
      }),
    ).rejects.toThrow('refused');
    expect(log).toEqual([]);
  });
});
