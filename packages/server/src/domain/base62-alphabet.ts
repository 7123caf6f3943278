/**
 * The base62 alphabet of tokens, ids and session values, defined once. Pure (no node:crypto), so the
 * console's rules can use it too; the generator is in base62.ts.
 */
export const BASE62_ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** The same alphabet as one regular-expression character class (test/domain/base62.test.ts holds them equal). */
export const BASE62_CHAR = '[0-9A-Za-z]';
