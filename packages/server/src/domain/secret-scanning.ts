import { verify, type KeyObject } from 'node:crypto';
import { BASE62_CHAR } from './base62-alphabet.js';
import { TOKEN_CHECKSUM_LENGTH, TOKEN_RANDOM_LENGTH } from './token-format.js';

/**
 * Secret scanning (docs/secret-scanning.md): the pattern a scanner registers to find this deployment's
 * tokens, and the check of a scanner's signature over what it reports. Pure: no I/O.
 */

/**
 * The regular expression (source, no flags) that finds this deployment's token values in text: the
 * deployment prefix if any, `lk_pub_` or `lk_prv_`, then 38 base62 characters (32 random, 6 checksum).
 * Word boundaries on both sides, as scanners' patterns usually have; RE2 and PCRE read it alike.
 */
export function tokenPatternSource(deploymentPrefix = ''): string {
  // The prefix is [a-z0-9]{1,16}_ (config.ts): nothing in it needs escaping.
  return `\\b${deploymentPrefix}lk_(?:pub|prv)_${BASE62_CHAR}{${TOKEN_RANDOM_LENGTH + TOKEN_CHECKSUM_LENGTH}}\\b`;
}

/** The headers GitHub's partner program signs with; other scanners send the same (docs/secret-scanning.md). */
export const SCANNER_KEY_ID_HEADER = 'github-public-key-identifier';
export const SCANNER_SIGNATURE_HEADER = 'github-public-key-signature';

/** A DER ECDSA P-256 signature is at most 72 bytes: 96 base64 characters. Anything much longer is not one. */
const SIGNATURE_BASE64 = /^[A-Za-z0-9+/]{1,200}={0,2}$/;

/**
 * Whether `signature` (base64 of a DER-encoded ECDSA signature, as GitHub sends it) signs exactly these
 * bytes with SHA-256 under `key`. The bytes are the raw request body: GitHub signs them as sent, so the
 * body is never re-serialised before this check. A malformed signature is simply not valid.
 */
export function scannerSignatureValid(key: KeyObject, body: Buffer, signature: string): boolean {
  if (!SIGNATURE_BASE64.test(signature)) return false;
  try {
    return verify('sha256', body, { key, dsaEncoding: 'der' }, Buffer.from(signature, 'base64'));
  } catch {
    return false;
  }
}

/** GitHub's answer per reported value: was it a credential this deployment issued. */
export type ScanLabel = 'true_positive' | 'false_positive';
