import { createPublicKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';

/** One public key a secret scanner signs its reports with, and who that scanner is (the audit log names it). */
export interface ScannerKey {
  key: KeyObject;
  /** As the audit log's actor shows it: `secret scanning (<scanner>)`. */
  scanner: string;
}

/** Key identifier → key. Non-empty when the receiver is enabled. */
export type ScannerKeys = ReadonlyMap<string, ScannerKey>;

const SETTING = 'LATCHKEY_SECRET_SCANNING_KEYS (secretScanningKeys)';
/** Printable ASCII without spaces: a key id travels in an HTTP header. */
const KEY_ID = /^[\x21-\x7e]{1,256}$/;
const SCANNER_NAME = /^[\x20-\x7e]{1,64}$/;
export const DEFAULT_SCANNER = 'GitHub';

/**
 * The receiver's keys (docs/secret-scanning.md), from the setting's value: JSON inline (it starts with
 * `{`) or the path of a file holding it. The JSON is either GitHub's own key list, as
 * https://api.github.com/meta/public_keys/secret_scanning answers it (`{"public_keys": [{"key_identifier",
 * "key", …}]}`), or an object `{"<key id>": "<PEM>" | {"key": "<PEM>", "scanner": "<name>"}}`. Every key
 * must be an ECDSA P-256 public key (the curve GitHub signs with). Problems are added to `problems`;
 * `null` when the setting is absent (the receiver answers 404).
 */
export function parseScannerKeys(value: unknown, problems: string[]): ScannerKeys | null {
  if (value === undefined) return null;
  const problemsBefore = problems.length;
  let doc: unknown = value;
  if (typeof value === 'string') {
    const text = value.trim();
    let json = text;
    if (!text.startsWith('{')) {
      try {
        json = readFileSync(text, 'utf8');
      } catch (e) {
        problems.push(`${SETTING}: cannot read ${text}: ${(e as Error).message}`);
        return null;
      }
    }
    try {
      doc = JSON.parse(json);
    } catch {
      problems.push(`${SETTING}: not valid JSON`);
      return null;
    }
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    problems.push(`${SETTING}: must be a JSON object (key id → PEM) or GitHub's key list`);
    return null;
  }
  const entries = githubKeyList(doc) ?? Object.entries(doc);
  const keys = new Map<string, ScannerKey>();
  for (const [id, entry] of entries) {
    const pem = typeof entry === 'string' ? entry : (entry as { key?: unknown } | null)?.key;
    const scanner =
      typeof entry === 'object' && entry !== null && 'scanner' in entry ? entry.scanner : DEFAULT_SCANNER;
    if (!KEY_ID.test(id)) {
      problems.push(`${SETTING}: key id "${id.slice(0, 40)}" must be 1-256 printable ASCII characters`);
      continue;
    }
    if (typeof scanner !== 'string' || !SCANNER_NAME.test(scanner)) {
      problems.push(`${SETTING}: key ${id}: "scanner" must be a name of 1-64 printable ASCII characters`);
      continue;
    }
    const key = p256Key(pem);
    if (!key) {
      problems.push(`${SETTING}: key ${id} is not an ECDSA P-256 public key in PEM`);
      continue;
    }
    keys.set(id, { key, scanner });
  }
  if (keys.size === 0 && problems.length === problemsBefore) problems.push(`${SETTING}: names no keys`);
  return keys;
}

/** GitHub's `{"public_keys": [{"key_identifier", "key", "is_current"}]}` as [id, key] pairs; undefined if not one. */
function githubKeyList(doc: object): [string, unknown][] | undefined {
  const list = (doc as { public_keys?: unknown }).public_keys;
  if (!Array.isArray(list)) return undefined;
  return list.map((k: unknown) => {
    const { key_identifier: id, key } = (k ?? {}) as { key_identifier?: unknown; key?: unknown };
    return [typeof id === 'string' ? id : '', key];
  });
}

function p256Key(pem: unknown): KeyObject | null {
  if (typeof pem !== 'string') return null;
  try {
    const key = createPublicKey(pem);
    if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') return null;
    return key;
  } catch {
    return null;
  }
}
