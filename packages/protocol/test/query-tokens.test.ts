import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { queryTokens } from '../src/request-credentials.js';

/** What queryTokens answered before its fast path: every `bearer_token` URLSearchParams finds. */
function reference(url: string): string[] {
  const q = url.indexOf('?');
  if (q === -1) return [];
  const hash = url.indexOf('#', q);
  return new URLSearchParams(url.slice(q + 1, hash === -1 ? undefined : hash)).getAll('bearer_token');
}

describe('queryTokens', () => {
  it('finds the token however the name is written: plain, percent-encoded, repeated, after a fragment or not', () => {
    expect(queryTokens('/a?bearer_token=x')).toEqual(['x']);
    expect(queryTokens('/a?permission=tokens:view')).toEqual([]);
    expect(queryTokens('/a?bearer%5Ftoken=x')).toEqual(['x']);
    expect(queryTokens('/a?%62earer_token=x&bearer_token=y')).toEqual(['x', 'y']);
    expect(queryTokens('/a?x=1#bearer_token=y')).toEqual([]);
    expect(queryTokens('/a')).toEqual([]);
  });

  it('answers exactly as URLSearchParams for any query (its fast path skips only queries that cannot hold the name)', () => {
    const piece = fc.constantFrom(
      'bearer_token',
      'bearer%5Ftoken',
      '%62earer_token',
      'bearer+token',
      'permission',
      '=',
      '&',
      '?',
      '#',
      '%',
      '%2',
      'x',
      'lk_prv_abc',
      ';',
      '+',
    );
    fc.assert(
      fc.property(fc.array(fc.oneof(piece, fc.string({ maxLength: 4 })), { maxLength: 12 }), (parts) => {
        const url = `/app?${parts.join('')}`;
        expect(queryTokens(url)).toEqual(reference(url));
      }),
      { numRuns: 3000 },
    );
  });
});
