import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isStrictDateTime } from '../../src/domain/date-time.js';

describe('the one date-time rule (finding 9)', () => {
  it.each([
    '2026-01-31T12:00:00Z',
    '2026-01-31T12:00:00.123Z',
    '2026-01-31T12:00:00.123456789Z',
    '2026-01-31T12:00:00+05:30',
    '2024-02-29T00:00:00Z',
    '2000-02-29T23:59:59-12:00',
    '0001-01-01T00:00:00Z',
    '9999-12-31T23:59:59.999Z',
  ])('accepts %s', (value) => {
    expect(isStrictDateTime(value)).toBe(true);
  });

  it.each([
    ['a leap second', '2016-12-31T23:59:60Z'],
    ['year 0', '0000-01-01T00:00:00Z'],
    ['year 1 pushed to year 0 by its offset', '0001-01-01T00:00:00+01:00'],
    ['year 9999 pushed to year 10000 by its offset', '9999-12-31T23:30:00-01:00'],
    ['30 February', '2023-02-30T00:00:00Z'],
    ['29 February of a common year', '2023-02-29T00:00:00Z'],
    ['29 February 1900', '1900-02-29T00:00:00Z'],
    ['month 13', '2023-13-01T00:00:00Z'],
    ['day 0', '2023-01-00T00:00:00Z'],
    ['hour 24', '2023-01-01T24:00:00Z'],
    ['minute 60', '2023-01-01T00:60:00Z'],
    ['no time zone', '2023-01-01T00:00:00'],
    ['a date only', '2023-01-01'],
    ['an offset hour of 24', '2023-01-01T00:00:00+24:00'],
    ['an expanded year', '+012023-01-01T00:00:00Z'],
    ['a five-digit year', '12023-01-01T00:00:00Z'],
    ['a NUL', '2023-01-01T00:00:00Z\u0000'],
    ['words', 'tomorrow'],
    ['empty', ''],
  ])('refuses %s (%j)', (_label, value) => {
    expect(isStrictDateTime(value)).toBe(false);
  });

  it('whatever it accepts, JavaScript parses to a date both stores can hold', () => {
    const min = Date.parse('0001-01-01T00:00:00Z');
    const max = Date.parse('9999-12-31T23:59:59.999Z');
    fc.assert(
      fc.property(
        fc.date({ min: new Date(min - 86_400_000), max: new Date(max + 86_400_000), noInvalidDate: true }),
        fc.integer({ min: -14 * 60, max: 14 * 60 }),
        (d, offsetMinutes) => {
          const local = new Date(d.getTime() + offsetMinutes * 60_000).toISOString();
          if (!/^\d{4}-/.test(local)) return; // outside four-digit years: no RFC 3339 form to try
          const sign = offsetMinutes < 0 ? '-' : '+';
          const abs = Math.abs(offsetMinutes);
          const value = `${local.slice(0, -1)}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
          const at = Date.parse(value);
          expect(at).toBe(d.getTime());
          expect(isStrictDateTime(value)).toBe(at >= min && at <= max);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
