import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { csvRecord } from '../../src/domain/csv.js';

const FORMULA_START = ['=', '+', '-', '@', '\t', '\r', '\uFF1D', '\uFF0B', '\uFF0D', '\uFF20'];
const parseRecord = (line: string) => (parse(line, { relax_column_count: true }) as string[][])[0] ?? [];

describe('audit CSV fields (finding 20: formula injection)', () => {
  it.each([
    [
      '=HYPERLINK("https://evil.test","click")@evil.test',
      `"'=HYPERLINK(""https://evil.test"",""click"")@evil.test"`,
    ],
    ['+1+cmd|calc@evil.test', `"'+1+cmd|calc@evil.test"`],
    ['-2+3@evil.test', `"'-2+3@evil.test"`],
    ['@SUM(A1:A9)', `"'@SUM(A1:A9)"`],
    ['\t=1', `"'\t=1"`],
    ['\r=1', `"'\r=1"`],
    ['\uFF1D1+1', `"'\uFF1D1+1"`],
    ['lone\rreturn', '"lone\rreturn"'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\nlines', '"two\nlines"'],
    ['plain@acme.test', 'plain@acme.test'],
    ['', ''],
  ])('%j is written as %s', (value, expected) => {
    expect(csvRecord([value])).toBe(`${expected}\n`);
  });

  it('writes null as an empty field and objects as JSON, one record per call', () => {
    expect(csvRecord(['a', null, undefined, { before: 1 }, 'z'])).toBe('a,,,"{""before"":1}",z\n');
  });

  it('any values: parses back to the same fields, formula starts prefixed with a quote', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.string({ unit: 'binary', maxLength: 40 }),
            fc.constantFrom(...FORMULA_START).chain((c) => fc.string().map((s) => c + s)),
          ),
          { minLength: 1, maxLength: 8 },
        ),
        (values) => {
          const line = csvRecord(values);
          expect(line.endsWith('\n')).toBe(true);
          const fields = parseRecord(line);
          expect(fields).toEqual(values.map((v) => (FORMULA_START.includes(v[0] ?? '') ? `'${v}` : v)));
          for (const f of fields) expect(FORMULA_START).not.toContain(f[0]);
        },
      ),
      { numRuns: 500 },
    );
  });
});
