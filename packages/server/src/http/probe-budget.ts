import { AppError } from '../domain/errors.js';
import type { FailureLimiter } from '../verify/failure-limiter.js';

/**
 * Lookups of token values across the deployment (an import's rows, a search by pasted value) are charged
 * to the caller's address exactly like failed verifications: no such path is a faster oracle than
 * /verify. A request that does not fit in what is left of the budget is refused before anything is looked
 * at; when waiting helps (it fits a window), Retry-After says how long. `limit` 0 turns the verify limit,
 * and so this, off. `what` names the charge in the refusal, e.g. "An import counts each row".
 */
export function chargeProbeBudget(
  limiter: FailureLimiter,
  address: string,
  lookups: number,
  budget: { limit: number; windowSeconds: number },
  refusal: (limit: number, windowSeconds: number) => string,
): void {
  const { limit, windowSeconds } = budget;
  if (limit === 0) return;
  const refuse = () =>
    new AppError(
      'rate_limited',
      refusal(limit, windowSeconds),
      lookups > limit
        ? { limit, windowSeconds }
        : { limit, windowSeconds, retryAfterSeconds: limiter.retryAfterSeconds(address) },
    );
  if (lookups > limit || limiter.isLimited(address)) throw refuse();
  for (let i = 0; i < lookups; i++) limiter.recordFailure(address);
  if (limiter.isLimited(address)) throw refuse();
}
