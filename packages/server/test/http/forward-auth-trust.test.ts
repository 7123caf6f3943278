import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createOrg,
  createServiceAccount,
  createToken,
  startInstance,
  type TestInstance,
} from '../helpers/harness.js';

/**
 * Issue #11 findings 1, 11 and 14 at the HTTP level (fastify inject). The same classes through real
 * nginx and Caddy: test/integration/proxy-trust-boundary.test.ts.
 */
const SECRET = 'a-very-long-shared-secret-for-both-routes';
let lk: TestInstance;
let guarded: TestInstance;
let prv: string;
let pub: string;
let guardedToken: string;
beforeAll(async () => {
  lk = await startInstance();
  const org = await createOrg(lk);
  const sa = await createServiceAccount(lk, org, 'trust');
  prv = (await createToken(lk, org, { serviceAccountId: sa.id })).token;
  pub = (
    await createToken(lk, org, {
      serviceAccountId: sa.id,
      type: 'public',
      domains: ['https://example.com', 'http://localhost:3000'],
    })
  ).token;
  guarded = await startInstance({ LATCHKEY_VERIFY_SECRET: SECRET });
  const g = await createOrg(guarded);
  guardedToken = (
    await createToken(guarded, g, {
      serviceAccountId: (await createServiceAccount(guarded, g, 'guarded')).id,
    })
  ).token;
});
afterAll(async () => {
  await lk?.close();
  await guarded?.close();
});

type Headers = Record<string, string | string[]>;
const fa = (
  headers: Headers,
  opts: { url?: string; method?: 'GET' | 'OPTIONS' | 'POST'; on?: TestInstance } = {},
) =>
  (opts.on ?? lk).app.inject({
    method: opts.method ?? 'GET',
    url: opts.url ?? '/api/v1/forward-auth',
    headers,
  });
const code = (res: { statusCode: number; headers: Record<string, unknown> }) =>
  `${res.statusCode} ${String(res.headers['x-latchkey-code'])}`;

describe('forward-auth believes the original method and URI only where every proxy header agrees (finding 1)', () => {
  it("a client's X-Forwarded-Method: OPTIONS next to the proxy's X-Original-Method is no preflight", async () => {
    const preflightish = { origin: 'https://example.com', 'access-control-request-method': 'GET' };
    for (const method of ['GET', 'POST', 'DELETE']) {
      expect(
        code(await fa({ ...preflightish, 'x-original-method': method, 'x-forwarded-method': 'OPTIONS' })),
      ).toBe('401 token_missing');
      expect(
        code(await fa({ ...preflightish, 'x-original-method': 'OPTIONS', 'x-forwarded-method': method })),
      ).toBe('401 token_missing');
    }
    // A preflight a proxy vouches for (every header present says OPTIONS), or a bare OPTIONS call.
    expect(code(await fa({ ...preflightish, 'x-original-method': 'OPTIONS' }))).toBe('200 preflight');
    expect(
      code(await fa({ ...preflightish, 'x-forwarded-method': 'options', 'x-original-method': 'OPTIONS' })),
    ).toBe('200 preflight');
    expect(code(await fa(preflightish, { method: 'OPTIONS' }))).toBe('200 preflight');
    // The proxy's own header wins over the check request's method.
    expect(code(await fa({ ...preflightish, 'x-original-method': 'GET' }, { method: 'OPTIONS' }))).toBe(
      '401 token_missing',
    );
  });

  it('two different original URIs make the token ambiguous; the same URI twice is fine', async () => {
    const withToken = `/assets/1?bearer_token=${prv}`;
    expect(code(await fa({ 'x-original-uri': '/assets/1', 'x-forwarded-uri': withToken }))).toBe(
      '401 token_invalid',
    );
    expect(code(await fa({ 'x-original-uri': withToken, 'x-forwarded-uri': '/assets/1' }))).toBe(
      '401 token_invalid',
    );
    expect(code(await fa({ 'x-original-uri': withToken, 'x-forwarded-uri': withToken }))).toBe('200 valid');
    expect(code(await fa({ 'x-original-uri': withToken }))).toBe('200 valid');
  });

  it('answers every identity header on 200, empty where it does not apply (no stale client value can survive a copy)', async () => {
    const res = await fa({ authorization: `Bearer ${prv}` });
    expect(res.statusCode).toBe(200);
    expect(res.headers['x-latchkey-user']).toBe('');
    expect(res.headers['x-latchkey-service-account']).toMatch(/^sa_/);
  });
});

describe('forward-auth for Envoy ext_authz: the request line is the original (finding 1)', () => {
  const envoy = (
    permission: string,
    original: string,
    headers: Headers = {},
    method: 'GET' | 'OPTIONS' | 'POST' = 'GET',
  ) => fa(headers, { url: `/api/v1/forward-auth/envoy/${permission}${original}`, method });

  it('reads the token from the original path and query and the permission from the prefix only', async () => {
    expect(
      code(await envoy('assets:view', `/assets/1?bearer_token=${pub}`, { origin: 'https://example.com' })),
    ).toBe('200 valid');
    expect(code(await envoy('any', '/anything', { authorization: `Bearer ${prv}` }))).toBe('200 valid');
    expect(
      code(await envoy('orders:edit', `/orders/1?bearer_token=${pub}`, { origin: 'https://example.com' })),
    ).toBe('403 permission_denied');
    // The original query is the client's: its `permission` neither adds nor removes a requirement.
    expect(
      code(
        await envoy('orders:edit', `/orders/1?permission=assets:view&bearer_token=${pub}`, {
          origin: 'https://example.com',
        }),
      ),
    ).toBe('403 permission_denied');
    expect(code(await envoy('not a permission', '/x', { authorization: `Bearer ${prv}` }))).toBe(
      '403 permission_denied',
    );
  });

  it('ignores X-Original-*/X-Forwarded-* method and URI headers entirely', async () => {
    expect(
      code(
        await envoy('any', '/x', {
          'x-original-uri': `/x?bearer_token=${prv}`,
          'x-forwarded-uri': `/x?bearer_token=${prv}`,
        }),
      ),
    ).toBe('401 token_missing');
    const preflightish = {
      origin: 'https://example.com',
      'access-control-request-method': 'GET',
      'x-forwarded-method': 'OPTIONS',
      'x-original-method': 'OPTIONS',
    };
    expect(code(await envoy('any', '/x', preflightish))).toBe('401 token_missing');
    expect(
      code(
        await envoy(
          'any',
          '/x',
          { origin: 'https://example.com', 'access-control-request-method': 'GET' },
          'OPTIONS',
        ),
      ),
    ).toBe('200 preflight');
  });
});

describe('LATCHKEY_VERIFY_SECRET protects /verify and forward-auth alike (finding 11)', () => {
  const verifyWith = (headers: Headers) =>
    guarded.app.inject({ method: 'POST', url: '/api/v1/verify', headers, payload: { token: guardedToken } });

  it('without the secret, or with a wrong one: /verify 401 unauthenticated, forward-auth 401 token_invalid', async () => {
    for (const headers of [
      {},
      { 'x-latchkey-verify-secret': 'wrong' },
      { 'x-latchkey-verify-secret': `${SECRET}x` },
      { 'x-latchkey-verify-secret': [SECRET, SECRET] },
    ] as Headers[]) {
      const v = await verifyWith(headers);
      expect(v.statusCode).toBe(401);
      expect(v.json().error.code).toBe('unauthenticated');
      for (const res of [
        await fa({ ...headers, authorization: `Bearer ${guardedToken}` }, { on: guarded }),
        await fa(
          {
            ...headers,
            'x-original-method': 'OPTIONS',
            origin: 'https://example.com',
            'access-control-request-method': 'GET',
          },
          { on: guarded },
        ),
        await fa(
          { ...headers, authorization: `Bearer ${guardedToken}` },
          { on: guarded, url: '/api/v1/forward-auth/envoy/any/x' },
        ),
      ]) {
        expect(code(res)).toBe('401 token_invalid');
        expect(res.headers['x-latchkey-error']).toBe('unauthenticated');
        expect(res.headers['x-latchkey-org']).toBeUndefined();
      }
    }
  });

  it('with the secret: both answer as usual', async () => {
    const v = await verifyWith({ 'x-latchkey-verify-secret': SECRET });
    expect(v.statusCode).toBe(200);
    expect(v.json().code).toBe('valid');
    expect(
      code(
        await fa(
          { 'x-latchkey-verify-secret': SECRET, authorization: `Bearer ${guardedToken}` },
          { on: guarded },
        ),
      ),
    ).toBe('200 valid');
    expect(code(await fa({ 'x-latchkey-verify-secret': SECRET }, { on: guarded }))).toBe('401 token_missing');
  });
});

describe('ambiguous credentials are refused (finding 14)', () => {
  it('two Authorization headers, as Node would otherwise keep only the first', async () => {
    expect(code(await fa({ authorization: [`Bearer ${prv}`, `Bearer ${prv}`] }))).toBe('401 token_invalid');
    expect(code(await fa({ authorization: [`Bearer ${prv}`, 'Bearer lk_prv_other'] }))).toBe(
      '401 token_invalid',
    );
    expect(code(await fa({ authorization: ['Basic dXNlcjpwYXNz', `Bearer ${prv}`] }))).toBe(
      '401 token_invalid',
    );
  });

  it('Authorization and bearer_token at once, even with the same value', async () => {
    expect(
      code(await fa({ authorization: `Bearer ${prv}`, 'x-original-uri': `/a?bearer_token=${prv}` })),
    ).toBe('401 token_invalid');
    expect(
      code(
        await fa(
          { authorization: `Bearer ${prv}` },
          { url: `/api/v1/forward-auth/envoy/any/a?bearer_token=${prv}` },
        ),
      ),
    ).toBe('401 token_invalid');
    // Another scheme is the platform's own business, not a second token.
    expect(
      code(await fa({ authorization: 'Basic dXNlcjpwYXNz', 'x-original-uri': `/a?bearer_token=${prv}` })),
    ).toBe('200 valid');
  });
});

describe('/verify and forward-auth parse an origin the same way (finding 14)', () => {
  /** The decision for one origin value through each entry point: /verify's field, forward-auth's Origin, its Referer. */
  async function decisions(origin: string): Promise<[string, string, string]> {
    const v = await lk.app.inject({ method: 'POST', url: '/api/v1/verify', payload: { token: pub, origin } });
    const viaOrigin = await fa({ authorization: `Bearer ${pub}`, origin });
    const viaReferer = await fa({ authorization: `Bearer ${pub}`, referer: origin });
    return [
      String(v.json().code),
      String(viaOrigin.headers['x-latchkey-code']),
      String(viaReferer.headers['x-latchkey-code']),
    ];
  }

  const TABLE: [string, string][] = [
    ['https://example.com', 'valid'],
    ['https://EXAMPLE.com', 'valid'],
    ['HTTPS://example.com:443', 'valid'],
    ['https://example.com/some/page?q=*', 'valid'],
    ['  https://example.com  ', 'valid'],
    ['http://localhost:3000', 'valid'],
    ['http://localhost:3000/', 'valid'],
    ['https://example.com:8443', 'origin_not_allowed'],
    ['http://example.com', 'origin_not_allowed'],
    ['https://example.com.evil.net', 'origin_not_allowed'],
    ['https://xn--exmple-cua.com', 'origin_not_allowed'],
    ['https://user:pass@example.com', 'origin_required'],
    ['https://user@example.com', 'origin_required'],
    ['https://*.example.com', 'origin_required'],
    ['example.com', 'origin_required'],
    ['//example.com', 'origin_required'],
    ['ftp://example.com', 'origin_required'],
    ['null', 'origin_required'],
    ['https://exa mple.com', 'origin_required'],
    ['https:\\\\example.com', 'origin_required'],
    ['https://', 'origin_required'],
    [`https://${'a'.repeat(64)}.example.com`, 'origin_not_allowed'],
  ];

  it.each(TABLE)('%s → %s everywhere', async (origin, expected) => {
    expect(await decisions(origin)).toEqual([expected, expected, expected]);
  });

  it('agree on generated origins (property)', async () => {
    const label = fc.stringMatching(/^[A-Za-z0-9*-]{0,6}$/);
    const origin = fc.oneof(
      fc
        .record({
          scheme: fc.constantFrom('https', 'http', 'HTTPS', 'ftp', ''),
          sep: fc.constantFrom('://', ':/', '//', ':\\\\'),
          user: fc.constantFrom('', 'u@', 'u:p@'),
          host: fc.array(label, { minLength: 1, maxLength: 3 }).map((ls) => ls.join('.')),
          suffix: fc.constantFrom('example.com', 'EXAMPLE.COM', 'localhost', ''),
          port: fc.constantFrom('', ':443', ':80', ':3000', ':8443', ':0', ':99999', ':'),
          path: fc.constantFrom('', '/', '/p?q=1', '/#f', '?x', ' '),
          pad: fc.constantFrom('', ' ', '\t'),
        })
        .map(
          (o) =>
            `${o.pad}${o.scheme}${o.sep}${o.user}${o.host}${o.host && o.suffix ? '.' : ''}${o.suffix}${o.port}${o.path}${o.pad}`,
        ),
      fc.stringMatching(/^[!-~ ]{0,40}$/),
    );
    await fc.assert(
      fc.asyncProperty(origin, async (o) => {
        const [v, viaOrigin, viaReferer] = await decisions(o);
        expect(viaOrigin, o).toBe(v);
        if (o.trim() !== '') expect(viaReferer, o).toBe(v); // an empty Origin falls back to Referer by design
      }),
      { numRuns: 150 },
    );
  });
});
