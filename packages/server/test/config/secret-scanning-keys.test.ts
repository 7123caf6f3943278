import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import { tempDir } from '../helpers/process.js';

const pem = (curve = 'prime256v1') =>
  generateKeyPairSync('ec', { namedCurve: curve })
    .publicKey.export({ type: 'spki', format: 'pem' })
    .toString();

/** LATCHKEY_SECRET_SCANNING_KEYS (docs/secret-scanning.md): the keys the receiver accepts reports signed with. */
describe('secret-scanning keys', () => {
  it('absent: the receiver is off', () => {
    expect(loadConfig({}).secretScanningKeys).toBeNull();
  });

  it('a JSON object of key id → PEM, or → {key, scanner}', () => {
    const keys = loadConfig({
      LATCHKEY_SECRET_SCANNING_KEYS: JSON.stringify({
        k1: pem(),
        k2: { key: pem(), scanner: 'Acme scanner' },
      }),
    }).secretScanningKeys!;
    expect([...keys.keys()]).toEqual(['k1', 'k2']);
    expect(keys.get('k1')!.scanner).toBe('GitHub');
    expect(keys.get('k2')!.scanner).toBe('Acme scanner');
    expect(keys.get('k1')!.key.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
  });

  it("GitHub's key list as its API answers it, inline or in a file (also from the config file)", () => {
    const list = {
      public_keys: [
        { key_identifier: 'a'.repeat(64), key: pem(), is_current: false },
        { key_identifier: 'b'.repeat(64), key: pem(), is_current: true },
      ],
    };
    const file = join(tempDir(), 'github-keys.json');
    writeFileSync(file, JSON.stringify(list));
    for (const setting of [JSON.stringify(list), file]) {
      const keys = loadConfig({ LATCHKEY_SECRET_SCANNING_KEYS: setting }).secretScanningKeys!;
      expect([...keys.keys()]).toEqual(['a'.repeat(64), 'b'.repeat(64)]);
      expect(keys.get('b'.repeat(64))!.scanner).toBe('GitHub');
    }
    const configFile = join(tempDir(), 'latchkey.json');
    writeFileSync(configFile, JSON.stringify({ secretScanningKeys: list }));
    expect(loadConfig({ LATCHKEY_CONFIG: configFile }).secretScanningKeys!.size).toBe(2);
  });

  it('refuses at start-up what cannot verify a P-256 signature, naming the key', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 })
      .publicKey.export({ type: 'spki', format: 'pem' })
      .toString();
    const cases: [string, RegExp][] = [
      [JSON.stringify({ k1: pem('secp384r1') }), /key k1 is not an ECDSA P-256 public key/],
      [JSON.stringify({ k1: rsa }), /key k1 is not an ECDSA P-256 public key/],
      [JSON.stringify({ k1: 'not a key' }), /key k1 is not an ECDSA P-256 public key/],
      [JSON.stringify({ 'a b': pem() }), /key id "a b" must be/],
      [JSON.stringify({ k1: { key: pem(), scanner: '' } }), /key k1: "scanner" must be/],
      [JSON.stringify({}), /names no keys/],
      [JSON.stringify({ public_keys: [] }), /names no keys/],
      ['{"k1": ', /not valid JSON/],
      [join(tempDir(), 'missing.json'), /cannot read/],
    ];
    for (const [setting, message] of cases)
      expect(() => loadConfig({ LATCHKEY_SECRET_SCANNING_KEYS: setting }), setting.slice(0, 60)).toThrow(
        message,
      );
  });
});
