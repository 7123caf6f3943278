import { randomBytes } from 'node:crypto';
import { BASE62_ALPHABET } from './base62-alphabet.js';

export { BASE62_ALPHABET };

/**
 * `length` characters drawn uniformly from the base62 alphabet with a CSPRNG.
 * Rejection sampling (bytes >= 248 are dropped) keeps the distribution unbiased.
 */
export function randomBase62(length: number): string {
  let out = '';
  while (out.length < length) {
    const bytes = randomBytes(length * 2);
    for (const byte of bytes) {
      if (byte < 248) out += BASE62_ALPHABET[byte % 62];
      if (out.length === length) break;
    }
  }
  return out;
}

/** Fixed-width base62 encoding of a non-negative integer (left-padded with '0'). */
export function encodeBase62(value: number, width: number): string {
  let n = value;
  let out = '';
  while (n > 0) {
    out = BASE62_ALPHABET[n % 62] + out;
    n = Math.floor(n / 62);
  }
  return out.padStart(width, '0');
}
