import { describe, expect, it } from 'vitest';
import { BASE62_ALPHABET, BASE62_CHAR } from '../../src/domain/base62-alphabet.js';
import { encodeBase62, randomBase62 } from '../../src/domain/base62.js';

describe('the base62 alphabet', () => {
  it('is the character class the schemas and id checks use: the same 62 characters, nothing else', () => {
    const inClass = new RegExp(`^${BASE62_CHAR}$`);
    const accepted = Array.from({ length: 0x2000 }, (_, i) => String.fromCharCode(i)).filter((c) =>
      inClass.test(c),
    );
    expect(accepted.join('')).toBe(BASE62_ALPHABET);
    expect(new Set(BASE62_ALPHABET).size).toBe(62);
  });

  it('is what values are drawn from and encoded with', () => {
    expect(randomBase62(200)).toMatch(new RegExp(`^${BASE62_CHAR}{200}$`));
    expect(encodeBase62(61, 2)).toBe(`0${BASE62_ALPHABET[61]}`);
  });
});
