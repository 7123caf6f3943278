import { createHash } from 'node:crypto';
import { crc32 } from 'node:zlib';
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

/** Classifies a presented value without any I/O. */
export function parseToken(value: string, deploymentPrefix = ''): ParsedToken {
  if (value.length > MAX_TOKEN_LENGTH) return { kind: 'malformed' };
  for (const type of ['public', 'private'] as const) {
    const head = deploymentPrefix + TOKEN_TYPE_MARKER[type];
    if (!value.startsWith(head)) continue;
    const expected = head.length + TOKEN_RANDOM_LENGTH + TOKEN_CHECKSUM_LENGTH;
    if (value.length !== expected || !/^[0-9A-Za-z]+$/.test(value.slice(head.length))) return { kind: 'malformed' };
    const body = value.slice(0, -TOKEN_CHECKSUM_LENGTH);
    return checksum(body) === value.slice(-TOKEN_CHECKSUM_LENGTH) ? { kind: 'latchkey', type } : { kind: 'malformed' };
  }
  // Anything that claims to be ours (with or without the deployment prefix) but failed above is malformed.
  if (/lk_(pub|prv)_/.test(value)) return { kind: 'malformed' };
  return LEGACY_VALUE.test(value) ? { kind: 'foreign' } : { kind: 'malformed' };
}

export function isLegacyValueShape(value: string): boolean {
  return LEGACY_VALUE.test(value);
}

/** SHA-256 hex of a token value: the only form in which private values are stored. */
export function hashToken(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

/** Display hint: type and the first and last 4 characters, e.g. `lk_prv_AbCd…wXyZ`. */
export function tokenHint(value: string, type: TokenType, deploymentPrefix = ''): string {
  const marker = deploymentPrefix + TOKEN_TYPE_MARKER[type];
  if (value.startsWith(marker)) {
    const rest = value.slice(marker.length);
    return `${marker}${rest.slice(0, 4)}…${rest.slice(-4)}`;
  }
  return `${value.slice(0, 4)}…${value.slice(-4)}`;
}
