import { AppError, type ErrorCode } from '../domain/errors.js';
import type { RouteContext } from './route-context.js';

/** The refusals that mean "this credential was wrong" (and count against the account and address). */
const WRONG_CREDENTIAL: readonly ErrorCode[] = ['invalid_credentials', 'setup_invalid'];

/**
 * Runs one credential check a person makes (sign-in, password change, first-run setup) under the shared
 * per-account and per-address limits (services/credential-limits.ts): refused with 429 rate_limited before
 * the check when over a limit (details.retryAfterSeconds, which the error handler sends as Retry-After); a wrong credential counts, a right one marks the address as known.
 * `account` is what the caller named (an e-mail), whether or not such an account exists.
 */
export async function limitedCredentialCheck<T>(
  ctx: RouteContext,
  who: { account: string; address: string },
  check: () => Promise<T>,
): Promise<T> {
  const admission = await ctx.credentialLimits.admit(who.account, who.address);
  if (!admission.ok) {
    throw new AppError(
      'rate_limited',
      `Too many attempts; try again in ${admission.retryAfterSeconds} seconds.`,
      {
        retryAfterSeconds: admission.retryAfterSeconds,
      },
    );
  }
  let result: T;
  try {
    result = await check();
  } catch (e) {
    if (e instanceof AppError && WRONG_CREDENTIAL.includes(e.code))
      await ctx.credentialLimits.failed(who.account);
    throw e;
  }
  await ctx.credentialLimits.succeeded(who.account, who.address);
  return result;
}
