import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BASE62_ALPHABET } from '../../src/domain/base62.js';
import {
  LEGACY_MIN_LENGTH,
  checksum,
  generateToken,
  hashToken,
  parseToken,
  tokenHint,
} from '../../src/domain/token-format.js';

describe('token format (§3)', () => {
  it('generates lk_pub_/lk_prv_ + 32 base62 + 6 base62 checksum', () => {
    const pub = generateToken('public');
    const prv = generateToken('private');
    expect(pub).toMatch(/^lk_pub_[0-9A-Za-z]{38}$/);
    expect(prv).toMatch(/^lk_prv_[0-9A-Za-z]{38}$/);
    expect(checksum(pub.slice(0, -6))).toBe(pub.slice(-6));
    expect(parseToken(pub)).toEqual({ kind: 'latchkey', type: 'public' });
    expect(parseToken(prv)).toEqual({ kind: 'latchkey', type: 'private' });
  });

  it('never repeats a value', () => {
    const seen = new Set(Array.from({ length: 5000 }, () => generateToken('private')));
    expect(seen.size).toBe(5000);
  });

  it('supports a deployment prefix covered by the checksum', () => {
    const t = generateToken('private', 'acme_');
    expect(t.startsWith('acme_lk_prv_')).toBe(true);
    expect(parseToken(t, 'acme_')).toEqual({ kind: 'latchkey', type: 'private' });
    expect(parseToken(t.slice('acme_'.length), 'acme_').kind).toBe('malformed');
  });

  it('detects any single-character change as malformed', () => {
    const t = generateToken('private');
    fc.assert(
      fc.property(fc.integer({ min: 7, max: t.length - 1 }), fc.constantFrom(...BASE62_ALPHABET), (i, c) => {
        if (t[i] === c) return;
        const changed = t.slice(0, i) + c + t.slice(i + 1);
        expect(parseToken(changed).kind).toBe('malformed');
      }),
      { numRuns: 500 },
    );
  });

  it('classifies truncated, extended and oversized values as malformed', () => {
    const t = generateToken('public');
    expect(parseToken(t.slice(0, -1)).kind).toBe('malformed');
    expect(parseToken(`${t}0`).kind).toBe('malformed');
    expect(parseToken('lk_prv_' + 'a'.repeat(10_000)).kind).toBe('malformed');
    expect(parseToken('x'.repeat(600)).kind).toBe('malformed');
  });

  it('treats other printable values as possible legacy tokens, and junk as malformed', () => {
    expect(parseToken('0b7e1a2c-3f4d-4e5f-8a9b-0c1d2e3f4a5b').kind).toBe('foreign');
    expect(parseToken('short').kind).toBe('malformed');
    expect(parseToken('has space in it').kind).toBe('malformed');
    expect(parseToken('naïve-legacy-value').kind).toBe('malformed');
  });

  it('never throws on arbitrary input', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 700 }), (s) => {
        expect(['latchkey', 'foreign', 'malformed']).toContain(parseToken(s).kind);
      }),
      { numRuns: 3000 },
    );
  });

  it('hashes with SHA-256 and hints without revealing the secret part', () => {
    const t = generateToken('private');
    expect(hashToken(t)).toMatch(/^[0-9a-f]{64}$/);
    const hint = tokenHint(t, 'private');
    expect(hint).toBe(`lk_prv_${t.slice(7, 11)}…${t.slice(-4)}`);
    expect(hint.length).toBeLessThan(20);
  });

  it('legacy hints show the last 2 characters and the length, never more of the value (issue 11, finding 15)', () => {
    const printable = fc.string({
      unit: fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c)),
      minLength: LEGACY_MIN_LENGTH,
      maxLength: 512,
    });
    fc.assert(
      fc.property(printable, fc.constantFrom('public' as const, 'private' as const), (value, type) => {
        fc.pre(!/lk_(pub|prv)_/.test(value));
        const hint = tokenHint(value, type);
        expect(hint).toBe(`legacy…${value.slice(-2)} (${value.length} chars)`);
      }),
      { numRuns: 2000 },
    );
    expect(tokenHint('Ops-2019-admin-key', 'private')).toBe('legacy…ey (18 chars)');
  });
});
