import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkOrgName, ORG_NAME_MAX_LENGTH } from '../../src/domain/org-name.js';

describe('org names (finding 18)', () => {
  it.each([
    ['Acme', 'Acme'],
    ['  Acme Corp.  ', 'Acme Corp.'],
    ['Bücher & Söhne GmbH', 'Bücher & Söhne GmbH'],
    ['株式会社テスト', '株式会社テスト'],
    ['שלום עולם', 'שלום עולם'],
    ['R&D (EU) — 2026 🚀', 'R&D (EU) — 2026 🚀'],
    ['Cafe\u0301', 'Café'],
    ['x'.repeat(ORG_NAME_MAX_LENGTH), 'x'.repeat(ORG_NAME_MAX_LENGTH)],
  ])('accepts %j as %j', (input, name) => {
    expect(checkOrgName(input)).toEqual({ ok: true, name });
  });

  it.each([
    ['empty', ''],
    ['only spaces', '   '],
    ['too long', 'x'.repeat(ORG_NAME_MAX_LENGTH + 1)],
    ['two lines', 'Acme\nYour account is locked: visit https://evil.test'],
    ['a carriage return', 'Acme\rX'],
    ['a tab', 'Acme\tX'],
    ['a NUL', 'Acme\u0000'],
    ['DEL', 'Acme\u007f'],
    ['a C1 control (NEL)', 'Acme\u0085X'],
    ['a line separator', 'Acme\u2028X'],
    ['a paragraph separator', 'Acme\u2029X'],
    ['right-to-left override', 'Acme\u202Etxt.exe'],
    ['left-to-right embedding', 'Acme\u202AX'],
    ['pop directional formatting', 'Acme\u202CX'],
    ['right-to-left isolate', 'Acme\u2067X\u2069'],
    ['first strong isolate', 'Acme\u2068X'],
    ['left-to-right mark', 'Acme\u200EX'],
    ['right-to-left mark', 'Acme\u200FX'],
    ['Arabic letter mark', 'Acme\u061CX'],
    ['zero-width space', 'Ac\u200Bme'],
    ['zero-width joiner', 'Ac\u200Dme'],
    ['byte order mark', '\uFEFFAcme'],
    ['a no-break space', 'Acme\u00A0Corp'],
    ['a private-use character', 'Acme\uE000'],
    ['a lone surrogate', 'Acme\uD800'],
    ['a leading combining mark', '\u0301Acme'],
  ])('refuses %s', (_label, input) => {
    expect(checkOrgName(input).ok).toBe(false);
  });

  it('never accepts a control, format, separator, private-use or unassigned character', () => {
    const forbidden = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Co}\p{Cn}\p{Cs}]/u;
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 70 }), (s) => {
        const r = checkOrgName(s);
        if (r.ok) {
          expect(forbidden.test(r.name)).toBe(false);
          expect(r.name).not.toMatch(/\n|\r/);
          expect([...r.name].length).toBeLessThanOrEqual(ORG_NAME_MAX_LENGTH);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
