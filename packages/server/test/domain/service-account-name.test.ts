import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkServiceAccountName } from '../../src/domain/service-account-name.js';

describe('service account names (rule 1)', () => {
  it.each(['storefront-bot', 'A', 'ci_deploy_2', 'x'.repeat(64), 'UPPER-lower_09'])('accepts %s', (name) => {
    const r = checkServiceAccountName(name);
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.key).toBe(name.toLowerCase());
  });

  it.each(['', 'has space', 'tab\there', 'dot.name', 'slash/name', 'émoji', 'naïve', 'name!', 'x'.repeat(65), 'new\nline', 'semi;colon'])(
    'refuses %j with a message naming the allowed characters',
    (name) => {
      const r = checkServiceAccountName(name);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.message).toMatch(/letters, digits, "-" and "_"/);
    },
  );

  it('accepts exactly the strings made of [A-Za-z0-9_-]{1,64}', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (s) => {
        expect(checkServiceAccountName(s).ok).toBe(/^[A-Za-z0-9_-]{1,64}$/.test(s));
      }),
      { numRuns: 2000 },
    );
  });
});
