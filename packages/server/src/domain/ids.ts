import { randomBase62 } from './base62.js';

/** Every stored object carries a prefixed id so a log line says what it is about. */
export const ID_PREFIXES = {
  org: 'org',
  user: 'usr',
  role: 'rol',
  serviceAccount: 'sa',
  token: 'tok',
  invitation: 'inv',
  audit: 'aud',
} as const;

export type IdKind = keyof typeof ID_PREFIXES;

export function newId(kind: IdKind): string {
  return `${ID_PREFIXES[kind]}_${randomBase62(20)}`;
}

/** True when `value` is shaped like an id of `kind` (used to reject junk before a lookup). */
export function isIdOf(kind: IdKind, value: string): boolean {
  return new RegExp(`^${ID_PREFIXES[kind]}_[0-9A-Za-z]{20}$`).test(value);
}
