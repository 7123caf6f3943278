import type { FailureLimiter } from './failure-limiter.js';
import type { Verifier, VerifyRequest, VerifyResult } from './verifier.js';

export interface AddressVerifyResult {
  result: VerifyResult;
  /** The address is over its failure limit and the token was not one the cache knows: refuse with rate_limited. */
  rateLimited: boolean;
}

/**
 * A verification as the network entry points (/verify, /forward-auth) make it: an address that keeps
 * presenting invalid tokens is answered from the cache only, so its flood never reaches the database
 * while its known tokens keep working. Every token_invalid answer counts against the address, and its
 * lookups in flight count too (see FailureLimiter.admitLookup).
 */
export async function verifyFromAddress(
  deps: { verifier: Verifier; failureLimiter: FailureLimiter },
  address: string,
  req: Omit<VerifyRequest, 'admitLookup'>,
): Promise<AddressVerifyResult> {
  const limiter = deps.failureLimiter;
  const limitedBefore = limiter.isLimited(address);
  let admitted = false;
  let refused = false;
  const admitLookup = () => {
    if (limiter.admitLookup(address)) admitted = true;
    else refused = true;
    return admitted;
  };
  let result: VerifyResult;
  try {
    result = await deps.verifier.verify({ token: req.token, origin: req.origin, permission: req.permission, admitLookup });
  } finally {
    if (admitted) limiter.lookupDone(address);
  }
  if (!result.valid && result.code === 'token_invalid') {
    limiter.recordFailure(address);
    return { result, rateLimited: limitedBefore || refused };
  }
  return { result, rateLimited: false };
}
