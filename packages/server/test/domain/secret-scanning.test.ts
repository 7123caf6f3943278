import { generateKeyPairSync, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { scannerSignatureValid, tokenPatternSource } from '../../src/domain/secret-scanning.js';
import { checksum, generateToken } from '../../src/domain/token-format.js';

describe('the token pattern a scanner registers', () => {
  it('finds every value we issue in surrounding text, with or without a deployment prefix', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('public', 'private'),
        fc.constantFrom('', 'acme_', 'x1_'),
        fc.constantFrom(' ', '"', '=', '\n', "'", ':'),
        (type, prefix, around) => {
          const value = generateToken(type, prefix);
          const found = new RegExp(tokenPatternSource(prefix), 'g').exec(`KEY${around}${value}${around}end`);
          expect(found?.[0]).toBe(value);
        },
      ),
    );
  });

  it("does not find another deployment's values, or ours without the prefix", () => {
    const pattern = new RegExp(tokenPatternSource('acme_'));
    expect(pattern.test(generateToken('private', 'other_'))).toBe(false);
    expect(pattern.test(generateToken('private'))).toBe(false);
    expect(new RegExp(tokenPatternSource()).test(generateToken('private', 'acme_'))).toBe(false);
  });

  it('docs/secret-scanning.md states the pattern and the checksum as the code has them', () => {
    const doc = readFileSync(
      fileURLToPath(new URL('../../../../docs/secret-scanning.md', import.meta.url)),
      'utf8',
    );
    expect(doc).toContain(tokenPatternSource());
    expect(doc).toContain(tokenPatternSource('acme_'));
    // The worked example of the checksum in the doc.
    const body = 'lk_prv_' + '0123456789abcdefghijABCDEFGHIJkl';
    expect(doc).toContain(body + checksum(body));
  });
});

describe('scanner signatures', () => {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const body = Buffer.from('[{"token":"x","type":"t","url":"","source":"commit"}]');
  const good = sign('sha256', body, privateKey).toString('base64');

  it('verify over the exact bytes (DER, base64), and nothing else', () => {
    expect(scannerSignatureValid(publicKey, body, good)).toBe(true);
    expect(scannerSignatureValid(publicKey, Buffer.from(body.toString() + ' '), good)).toBe(false);
    const other = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey;
    expect(scannerSignatureValid(other, body, good)).toBe(false);
  });

  it('a malformed signature is simply not valid', () => {
    for (const bad of ['', '!!!', 'A'.repeat(500), Buffer.alloc(64).toString('base64'), good.slice(0, -4)])
      expect(scannerSignatureValid(publicKey, body, bad), bad.slice(0, 20)).toBe(false);
    // P1363 (raw r||s) encoding is not what GitHub sends: refused.
    const raw = sign('sha256', body, { key: privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64');
    expect(scannerSignatureValid(publicKey, body, raw)).toBe(false);
  });
});
