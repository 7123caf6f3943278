import { looksLikeId } from './id-shape.js';

/** SPEC rule 1: ASCII letters, digits, `-` and `_`, 1–64 characters. */
export const SERVICE_ACCOUNT_NAME_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

export const SERVICE_ACCOUNT_NAME_RULE =
  'A service account name may contain only ASCII letters, digits, "-" and "_" (no spaces or special characters), 1 to 64 characters.';

export const SERVICE_ACCOUNT_NAME_NOT_ID =
  'A service account name must not look like an id (a prefix such as "sa_" followed by 20 letters or digits): ' +
  'accounts are found by id or by name, so such a name could stand for another account.';

export type NameCheck = { ok: true; name: string; key: string } | { ok: false; message: string };

/** Validates a service-account name; `key` is the case-insensitive uniqueness key. */
export function checkServiceAccountName(name: string): NameCheck {
  if (!SERVICE_ACCOUNT_NAME_PATTERN.test(name)) return { ok: false, message: SERVICE_ACCOUNT_NAME_RULE };
  if (looksLikeId(name)) return { ok: false, message: SERVICE_ACCOUNT_NAME_NOT_ID };
  return { ok: true, name, key: name.toLowerCase() };
}
