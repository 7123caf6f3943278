import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (s: string) => createHash('sha256').update(s).digest();

/**
 * Does a request carry the deployment's shared secret (LATCHKEY_VERIFY_SECRET, header
 * `X-Latchkey-Verify-Secret`)? One check for /verify and forward-auth. True when no secret is configured.
 * Compares SHA-256 digests in constant time, so neither the value nor its length shows in the timing.
 */
export function verifySecretMatches(
  expected: string | undefined,
  given: string | string[] | undefined,
): boolean {
  if (expected === undefined) return true;
  if (typeof given !== 'string') return false;
  return timingSafeEqual(digest(given), digest(expected));
}
