import type { FailureLimiter } from './failure-limiter.js';
import type { TokenPresence } from './token-presence.js';
import type { Verifier, VerifyRequest, VerifyResult } from './verifier.js';

/** Values with this marker are Latchkey's own format (see domain/token-format.ts parseToken). */
const LATCHKEY_MARKER = /lk_(pub|prv)_/;

export type AddressVerifyResult =
  | { result: VerifyResult; rateLimited: false }
  | {
      result: VerifyResult;
      /**
       * The address is over its failure limit and the value was neither one the cache knows nor one the
       * presence filter says may exist: refuse with rate_limited.
       */
      rateLimited: true;
      /** Seconds until the address's limit ends (FailureLimiter.retryAfterSeconds), for Retry-After. */
      retryAfterSeconds: number;
    };

/**
 * A verification as the network entry points (/verify, /forward-auth) make it. `address` is the client's
 * (request.ip: the right-most address not from a trusted proxy, see LATCHKEY_TRUST_PROXY). An address
 * that keeps presenting invalid tokens is cut off from the database for values that cannot exist — the
 * cache does not know them and the presence filter says no token has their hash — so its flood stops
 * there, while every token that exists (cached or not) keeps getting its real answer. Every token_invalid
 * answer counts against the address, and its lookups in flight count too (see FailureLimiter.admitLookup).
 */
export async function verifyFromAddress(
  deps: AddressVerifyDeps,
  address: string,
  req: Omit<VerifyRequest, 'admitLookup'>,
): Promise<AddressVerifyResult> {
  return verifyFromAddressNow(deps, address, req);
}

export interface AddressVerifyDeps {
  verifier: Verifier;
  failureLimiter: FailureLimiter;
  tokenPresence?: Pick<TokenPresence, 'mayExist'>;
}

/** verifyFromAddress, synchronously when the cache knows the value (see Verifier.verifyNow). */
export function verifyFromAddressNow(
  deps: AddressVerifyDeps,
  address: string,
  req: Omit<VerifyRequest, 'admitLookup'>,
): AddressVerifyResult | Promise<AddressVerifyResult> {
  const limiter = deps.failureLimiter;
  const limitedBefore = limiter.isLimited(address);
  // A limited address keeps every Latchkey-format token (190 random bits: nothing to guess), but not
  // imported legacy values, which may be short or patterned: guessing them waits for the window to pass,
  // cached or not.
  if (limitedBefore && req.token !== undefined && req.token !== '' && !LATCHKEY_MARKER.test(req.token)) {
    limiter.recordFailure(address);
    return limitedAnswer(limiter, address, { valid: false, code: 'token_invalid' });
  }
  let admitted = false;
  let refused = false;
  const admitLookup = (hash: string) => {
    if (limiter.admitLookup(address)) return (admitted = true);
    refused = true;
    // Over the limit: still look up a value that may be a token (false positives are rare, bounded).
    return deps.tokenPresence?.mayExist(hash) ?? false;
  };
  const settle = (result: VerifyResult): AddressVerifyResult => {
    if (!result.valid && result.code === 'token_invalid') {
      limiter.recordFailure(address);
      return limitedBefore || refused
        ? limitedAnswer(limiter, address, result)
        : { result, rateLimited: false };
    }
    return { result, rateLimited: false };
  };
  let decided: VerifyResult | Promise<VerifyResult>;
  try {
    decided = deps.verifier.verifyNow({
      token: req.token,
      origin: req.origin,
      permission: req.permission,
      ip: req.ip,
      cost: req.cost,
      admitLookup,
      ...(req.deferUse ? { deferUse: true } : {}),
    });
  } catch (err) {
    if (admitted) limiter.lookupDone(address);
    throw err;
  }
  if (!(decided instanceof Promise)) {
    if (admitted) limiter.lookupDone(address);
    return settle(decided);
  }
  return decided.then(
    (result) => {
      if (admitted) limiter.lookupDone(address);
      return settle(result);
    },
    (err: unknown) => {
      if (admitted) limiter.lookupDone(address);
      throw err;
    },
  );
}

function limitedAnswer(limiter: FailureLimiter, address: string, result: VerifyResult): AddressVerifyResult {
  return { result, rateLimited: true, retryAfterSeconds: limiter.retryAfterSeconds(address) };
}
