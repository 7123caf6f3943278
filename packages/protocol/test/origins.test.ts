import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalizeAllowedOrigin, normalizeAllowlist, originAllowed, requestOrigin } from '../src/origins.js';

const norm = (s: string) => {
  const r = normalizeAllowedOrigin(s);
  return r.ok ? r.origin : r.code;
};

describe('allowlist normalisation (rule 8)', () => {
  it.each([
    ['https://subdomain1.yourwebpage.com/', 'https://subdomain1.yourwebpage.com'],
    ['https://Shop.Example.COM', 'https://shop.example.com'],
    ['shop.example.com', 'https://shop.example.com'],
    ['https://shop.example.com:443', 'https://shop.example.com'],
    ['http://shop.example.com:80/path?q=1#x', 'http://shop.example.com'],
    ['https://shop.example.com:8443/', 'https://shop.example.com:8443'],
    ['shop.example.com:8443', 'https://shop.example.com:8443'],
    ['https://bücher.example', 'https://xn--bcher-kva.example'],
    ['http://localhost:3000', 'http://localhost:3000'],
    ['http://127.0.0.1:5173', 'http://127.0.0.1:5173'],
    ['  https://padded.example.com  ', 'https://padded.example.com'],
  ])('%s → %s', (input, expected) => {
    expect(norm(input)).toBe(expected);
  });

  it.each(['*.example.com', 'https://*.yourwebpage.com/', '*', 'https://a.*.com'])(
    'refuses wildcard %s',
    (input) => {
      const r = normalizeAllowedOrigin(input);
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.code).toBe('wildcard_domain');
        expect(r.message).toMatch(/list every subdomain/);
      }
    },
  );

  it.each([
    'ftp://example.com',
    'javascript:alert(1)',
    'https://user:pw@example.com',
    '',
    'https://',
    'https://exa mple.com',
    'https://a\\b.com',
    'x'.repeat(3000),
  ])('refuses %j', (input) => {
    expect(norm(input)).toBe('invalid_domain');
  });

  it('de-duplicates equivalent entries and reports the bad index', () => {
    expect(normalizeAllowlist(['https://a.com', 'A.com', 'https://a.com:443/'])).toEqual({
      ok: true,
      origins: ['https://a.com'],
    });
    const bad = normalizeAllowlist(['https://a.com', '*.b.com']);
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.index).toBe(1);
  });

  it('normalisation is idempotent', () => {
    fc.assert(
      fc.property(
        fc.webUrl({ validSchemes: ['http', 'https'], withQueryParameters: true, withFragments: true }),
        (url) => {
          const once = normalizeAllowedOrigin(url);
          if (!once.ok) return;
          expect(normalizeAllowedOrigin(once.origin)).toEqual(once);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('any entry containing * is refused', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (a, b) => {
        const r = normalizeAllowedOrigin(`${a}*${b}`);
        expect(r.ok).toBe(false);
      }),
    );
  });

  it('IDN and its punycode normalise to the same origin; a look-alike does not', () => {
    expect(norm('https://bücher.example')).toBe(norm('https://xn--bcher-kva.example'));
    // Cyrillic "а" in place of Latin "a"
    expect(norm('https://ex\u0430mple.com')).not.toBe(norm('https://example.com'));
  });
});

describe('matching (rules 8–9)', () => {
  const allow = ['https://a.example.com'];
  it.each([
    ['https://a.example.com', true],
    ['https://example.com', false],
    ['http://a.example.com', false],
    ['https://a.example.com:8443', false],
    ['https://a.example.com.evil.net', false],
    ['https://b.a.example.com', false],
    ['https://xa.example.com', false],
  ])('%s allowed: %s', (origin, expected) => {
    expect(originAllowed(requestOrigin(origin, undefined) ?? '', allow)).toBe(expected);
  });

  it('is exact on scheme, host and port for arbitrary origins', () => {
    const host = fc.domain();
    fc.assert(
      fc.property(
        fc.constantFrom('http', 'https'),
        host,
        fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }),
        fc.constantFrom('http', 'https'),
        host,
        fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }),
        (s1, h1, p1, s2, h2, p2) => {
          const a = normalizeAllowedOrigin(`${s1}://${h1}${p1 ? `:${p1}` : ''}`);
          const b = requestOrigin(`${s2}://${h2}${p2 ? `:${p2}` : ''}`, undefined);
          if (!a.ok || b === null) return;
          const ua = new URL(a.origin);
          const ub = new URL(b);
          const same = ua.protocol === ub.protocol && ua.hostname === ub.hostname && ua.port === ub.port;
          expect(originAllowed(b, [a.origin])).toBe(same);
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('request origin (rule 9)', () => {
  it('prefers Origin, falls back to the Referer origin', () => {
    expect(requestOrigin('https://a.com', 'https://b.com/page')).toBe('https://a.com');
    expect(requestOrigin(undefined, 'https://b.com/page?x=1')).toBe('https://b.com');
    expect(requestOrigin('', 'https://b.com:8443/p')).toBe('https://b.com:8443');
  });
  it('treats Origin: null, garbage and neither header as no origin', () => {
    expect(requestOrigin('null', 'https://b.com/')).toBeNull();
    expect(requestOrigin(undefined, undefined)).toBeNull();
    expect(requestOrigin('not a url', undefined)).toBeNull();
    expect(requestOrigin(undefined, 'file:///etc/passwd')).toBeNull();
  });
  it('normalises case and default ports like the allowlist does', () => {
    expect(requestOrigin('https://EXAMPLE.com', undefined)).toBe('https://example.com');
    expect(requestOrigin('https://example.com:443', undefined)).toBe('https://example.com');
  });
});
