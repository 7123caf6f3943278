import { hash } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { BASE62_ALPHABET } from './base62-alphabet.js';
import { encodeBase62, randomBase62 } from './base62.js';

/**
 * Token values (SPEC §3): `[deploymentPrefix]lk_pub_|lk_prv_` + 32 base62 (CSPRNG) + 6 base62 CRC32
 * of everything before it. The checksum lets us refuse typos and garbage without a database lookup
 * and lets secret scanners recognise a real Latchkey token.
 */

export type TokenType = 'public' | 'private';

export const TOKEN_TYPE_MARKER: Record<TokenType, string> = { public: 'lk_pub_', private: 'lk_prv_' };
export const TOKEN_RANDOM_LENGTH = 32;
export const TOKEN_CHECKSUM_LENGTH = 6;
/** Upper bound for any value we will even hash (legacy imports included). */
export const MAX_TOKEN_LENGTH = 512;

export function checksum(body: string): string {
  return encodeBase62(crc32(body), TOKEN_CHECKSUM_LENGTH);
}

const BASE62_VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < 62; i++) BASE62_VALUE[BASE62_ALPHABET.charCodeAt(i)] = i;

/**
 * The hot-path check of `value` (marker already matched at `from`): every character after the marker is
 * base62 and the last six decode to the CRC32 of what precedes them. No allocation.
 */
function checksumMatches(value: string, from: number): boolean {
  const end = value.length - TOKEN_CHECKSUM_LENGTH;
  for (let i = from; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c > 127 || BASE62_VALUE[c]! < 0) return false;
  }
  let sum = 0;
  for (let i = end; i < value.length; i++) sum = sum * 62 + BASE62_VALUE[value.charCodeAt(i)]!;
  return sum === crc32(value.slice(0, end));
}

export function generateToken(type: TokenType, deploymentPrefix = ''): string {
  const body = `${deploymentPrefix}${TOKEN_TYPE_MARKER[type]}${randomBase62(TOKEN_RANDOM_LENGTH)}`;
  return body + checksum(body);
}

export type ParsedToken =
  | { kind: 'latchkey'; type: TokenType }
  /** Not in Latchkey's format: may be an imported legacy value, found only by its hash. */
  | { kind: 'foreign' }
  /** Looks like a Latchkey token but the checksum or length is wrong: refuse without a lookup. */
  | { kind: 'malformed' };

const LEGACY_VALUE = /^[\x21-\x7e]{8,512}$/;
// Shared, frozen answers: parsing allocates nothing.
const MALFORMED: ParsedToken = Object.freeze({ kind: 'malformed' });
const FOREIGN: ParsedToken = Object.freeze({ kind: 'foreign' });
const PARSED: Record<TokenType, ParsedToken> = {
  public: Object.freeze({ kind: 'latchkey', type: 'public' }),
  private: Object.freeze({ kind: 'latchkey', type: 'private' }),
};

/** Classifies a presented value without any I/O. */
export function parseToken(value: string, deploymentPrefix = ''): ParsedToken {
  const shape = parseTokenShape(value, deploymentPrefix);
  return shape.kind === 'latchkey' && !tokenChecksumHolds(value) ? MALFORMED : shape;
}

/**
 * parseToken without the checksum, for the verifier: a value whose hash the cache already holds is that
 * token (SHA-256 says so) and needs no checksum; a value about to be looked up is checked first
 * (tokenChecksumHolds). Saves the CRC32 on every cached verification.
 */
export function parseTokenShape(value: string, deploymentPrefix = ''): ParsedToken {
  if (value.length > MAX_TOKEN_LENGTH) return MALFORMED;
  for (const type of ['public', 'private'] as const) {
    const head = deploymentPrefix + TOKEN_TYPE_MARKER[type];
    if (!value.startsWith(head)) continue;
    if (value.length !== head.length + TOKEN_RANDOM_LENGTH + TOKEN_CHECKSUM_LENGTH) return MALFORMED;
    return PARSED[type];
  }
  // Anything that claims to be ours (with or without the deployment prefix) but failed above is malformed.
  if (/lk_(pub|prv)_/.test(value)) return MALFORMED;
  return LEGACY_VALUE.test(value) ? FOREIGN : MALFORMED;
}

/** The checksum of a value parseTokenShape classified as Latchkey's (its last 38 characters are the random part and the sum). */
export function tokenChecksumHolds(value: string): boolean {
  return checksumMatches(value, value.length - TOKEN_RANDOM_LENGTH - TOKEN_CHECKSUM_LENGTH);
}

/** SHA-256 hex of a token value: the only form in which private values are stored. */
export function hashToken(value: string): string {
  // One-shot crypto.hash: ~2.5× faster than createHash().update().digest() on the verify hot path.
  return hash('sha256', value, 'hex');
}

/**
 * Shortest legacy value the import accepts. Shorter values are guessable, and no display hint could
 * name one without giving a meaningful share of it away.
 */
export const LEGACY_MIN_LENGTH = 16;
/** Characters of a legacy value its hint shows (the last ones). */
export const LEGACY_HINT_SHOWN = 2;
/** Hint of a legacy token imported by its SHA-256 only: nothing of the value is known. */
export const LEGACY_HASH_ONLY_HINT = 'legacy (SHA-256 only)';

/**
 * Display hint, safe to show anyone who may list tokens (and kept in audit entries). Latchkey's own
 * values: the type marker, the first 4 of the 32 random characters and the last 4 (checksum)
 * characters, e.g. `lk_prv_AbCd…wXyZ`, which leaves 28 random characters unknown. Imported legacy
 * values can be short and low in entropy, so their hint never reveals a meaningful share: only the
 * last 2 characters and the length, e.g. `legacy…Xy (24 chars)`.
 */
export function tokenHint(value: string, type: TokenType, deploymentPrefix = ''): string {
  const marker = deploymentPrefix + TOKEN_TYPE_MARKER[type];
  if (value.startsWith(marker)) {
    const rest = value.slice(marker.length);
    return `${marker}${rest.slice(0, 4)}…${rest.slice(-4)}`;
  }
  return legacyHint(value);
}

/** The hint of a legacy (foreign-format) value: `legacy…Xy (24 chars)`. */
export function legacyHint(value: string): string {
  return `legacy…${value.slice(-LEGACY_HINT_SHOWN)} (${value.length} chars)`;
}
