import { describe, expect, it } from 'vitest';
import { usageSeries } from '../src/pages/tokens/token-usage';

describe('usageSeries', () => {
  it('a row per day with valid and every refusal code seen in the range (0 where none), a series each', () => {
    const { data, series, codes } = usageSeries({
      from: '2026-06-01',
      to: '2026-06-03',
      retentionDays: 90,
      days: [
        { day: '2026-06-01', valid: 3, refused: {} },
        { day: '2026-06-02', valid: 0, refused: { token_revoked: 2 } },
        { day: '2026-06-03', valid: 1, refused: { rate_limited: 5, token_revoked: 1 } },
      ],
      origins: [],
      addresses: [],
    });
    expect(codes).toEqual(['rate_limited', 'token_revoked']);
    expect(data).toEqual([
      { day: '06-01', valid: 3, rate_limited: 0, token_revoked: 0 },
      { day: '06-02', valid: 0, rate_limited: 0, token_revoked: 2 },
      { day: '06-03', valid: 1, rate_limited: 5, token_revoked: 1 },
    ]);
    expect(series.map((s) => s.name)).toEqual(['valid', 'rate_limited', 'token_revoked']);
    expect(new Set(series.map((s) => s.color)).size).toBe(3);
  });
});
