import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BASE62_ALPHABET } from '../../src/domain/base62.js';
import { ID_PREFIXES, newId, type IdKind } from '../../src/domain/ids.js';
import { checkServiceAccountName } from '../../src/domain/service-account-name.js';

describe('service account names (rule 1)', () => {
  it.each(['storefront-bot', 'A', 'ci_deploy_2', 'x'.repeat(64), 'UPPER-lower_09'])('accepts %s', (name) => {
    const r = checkServiceAccountName(name);
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.key).toBe(name.toLowerCase());
  });

  it.each([
    '',
    'has space',
    'tab\there',
    'dot.name',
    'slash/name',
    'émoji',
    'naïve',
    'name!',
    'x'.repeat(65),
    'new\nline',
    'semi;colon',
  ])('refuses %j with a message naming the allowed characters', (name) => {
    const r = checkServiceAccountName(name);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toMatch(/letters, digits, "-" and "_"/);
  });

  const ID_SHAPE = /^(org|usr|rol|sa|tok|inv|aud|evt|whe|whd|wha)_[0-9a-z]{20}$/i;

  it('accepts exactly the strings made of [A-Za-z0-9_-]{1,64} that do not look like an id', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (s) => {
        expect(checkServiceAccountName(s).ok).toBe(/^[A-Za-z0-9_-]{1,64}$/.test(s) && !ID_SHAPE.test(s));
      }),
      { numRuns: 2000 },
    );
  });

  it('the id pattern above names every id kind there is', () => {
    expect(Object.values(ID_PREFIXES).sort()).toEqual([
      'aud',
      'evt',
      'inv',
      'org',
      'rol',
      'sa',
      'tok',
      'usr',
      'wha',
      'whd',
      'whe',
    ]);
  });

  it('refuses any id of any kind, in any letter case, with a message saying why (finding 12)', () => {
    const kinds = Object.keys(ID_PREFIXES) as IdKind[];
    const base62 = fc.constantFrom(...BASE62_ALPHABET.split(''));
    fc.assert(
      fc.property(
        fc.constantFrom(...kinds),
        fc.array(base62, { minLength: 20, maxLength: 20 }),
        fc.constantFrom<(s: string) => string>(
          (s) => s,
          (s) => s.toUpperCase(),
          (s) => s.toLowerCase(),
        ),
        (kind, chars, recase) => {
          const name = recase(`${ID_PREFIXES[kind]}_${chars.join('')}`);
          const r = checkServiceAccountName(name);
          expect(r.ok, name).toBe(false);
          if (!r.ok) expect(r.message).toMatch(/must not look like an id/);
        },
      ),
      { numRuns: 2000 },
    );
    for (const kind of kinds) expect(checkServiceAccountName(newId(kind)).ok).toBe(false);
  });

  it.each([
    'sa_short',
    `sa_${'a'.repeat(19)}`,
    `sa_${'a'.repeat(21)}`,
    `xx_${'a'.repeat(20)}`,
    `sa-${'a'.repeat(20)}`,
    'tok_reader',
  ])('still accepts the near miss %s', (name) => expect(checkServiceAccountName(name).ok).toBe(true));
});
