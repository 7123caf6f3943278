import { notFound } from '../domain/errors.js';
import type { TokenRecord } from '../store/queries/tokens.js';
import type { Store } from '../store/store.js';
import type { OrgScope } from './context.js';
import { assertNotReplacedValue } from './guards.js';

/**
 * The token a use case is about to change, read in its transaction: 404 when the org has no such token,
 * and refused to the value a rotation replaced (see assertNotReplacedValue). Every change to one token
 * starts here, so neither check is left to memory. `locked` holds the row until the transaction ends and
 * reads it again under the lock, so what the caller then checks can no longer change underneath it.
 */
export async function tokenToChange(
  tx: Store,
  scope: OrgScope,
  id: string,
  { locked = false }: { locked?: boolean } = {},
): Promise<TokenRecord> {
  const found = await tx.tokens.findInOrg(scope.org.id, id);
  if (!found) throw notFound('Token');
  let token = found;
  if (locked) {
    await tx.tokens.lockForUpdate(found.id);
    token = (await tx.tokens.findInOrg(scope.org.id, id))!;
  }
  assertNotReplacedValue(scope, token.id);
  return token;
}
