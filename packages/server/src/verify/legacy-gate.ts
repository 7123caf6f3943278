import type { TokenLookup } from '../store/queries/verify-lookup.js';
import type { InvalidationBus } from './invalidation.js';

/**
 * Values not in Latchkey's format can only be imported legacy tokens. Until a deployment has imported
 * any, such values are refused without a lookup — so for most installations no garbage ever reaches the
 * database. The gate opens on the first import (an event) and is checked once at start-up.
 */
export async function createLegacyGate(lookup: TokenLookup, bus: InvalidationBus) {
  let open = await lookup.hasImported();
  const unsubscribe = bus.subscribe((e) => {
    if (e.kind === 'token' && e.imported) open = true;
  });
  return { isOpen: () => open, close: unsubscribe };
}
