/**
 * The shape of Latchkey's prefixed ids, without the generator (which needs node:crypto): this module
 * is pure, so the console can import the rules built on it.
 */

import { BASE62_CHAR } from './base62-alphabet.js';

/** Every stored object carries a prefixed id so a log line says what it is about. */
export const ID_PREFIXES = {
  org: 'org',
  user: 'usr',
  role: 'rol',
  serviceAccount: 'sa',
  token: 'tok',
  invitation: 'inv',
  audit: 'aud',
  webhookEndpoint: 'whe',
  webhookDelivery: 'whd',
  webhookAttempt: 'wha',
  event: 'evt',
} as const;

export type IdKind = keyof typeof ID_PREFIXES;

/** Base62 characters after the prefix and its underscore. */
export const ID_RANDOM_LENGTH = 20;

const ANY_ID = new RegExp(
  `^(${Object.values(ID_PREFIXES).join('|')})_${BASE62_CHAR}{${ID_RANDOM_LENGTH}}$`,
  'i',
);

/**
 * True when `value` has the shape of an id of any kind, ignoring case: names are matched
 * case-insensitively wherever an id is also accepted, so `SA_…` would stand for `sa_…` there.
 */
export function looksLikeId(value: string): boolean {
  return ANY_ID.test(value);
}
