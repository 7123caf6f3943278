import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateToken } from '../../src/domain/token-format.js';
import {
  call,
  createOrg,
  createServiceAccount,
  createToken,
  injectIntoFastify,
  roleId,
  startInstance,
  testClock,
  type Org,
  type TestInstance,
} from '../helpers/harness.js';

/**
 * The hot entry in front of Fastify (src/http/hot-handler.ts) must answer exactly as the Fastify routes do:
 * same status, same headers, same bytes — for every decision, every hostile input and every case it hands
 * on. Each request goes through the server's entry and through Fastify's own router on the same instance,
 * and the answers are compared; a hook on Fastify counts which requests reached it, so each case also
 * shows whether the hot path answered it (the common cases must not reach Fastify at all).
 */

const ORIGIN = 'https://shop.example.com';
let lk: TestInstance;
let guarded: TestInstance;
let org: Org;
const clock = testClock();
let reachedFastify = 0;
const tokens: Record<
  | 'prv'
  | 'pub'
  | 'revoked'
  | 'expiring'
  | 'narrow'
  | 'fenced'
  | 'fencedAway'
  | 'reportOnly'
  | 'limited'
  | 'overLimit'
  | 'metered'
  | 'spent',
  string
> = {
  prv: '',
  pub: '',
  revoked: '',
  expiring: '',
  narrow: '',
  fenced: '',
  fencedAway: '',
  reportOnly: '',
  limited: '',
  overLimit: '',
  metered: '',
  spent: '',
};
let addressCounter = 0;
const freshAddress = () => `10.77.${Math.floor(++addressCounter / 250)}.${(addressCounter % 250) + 1}`;

beforeAll(async () => {
  lk = await startInstance({ LATCHKEY_VERIFY_FAILURE_LIMIT: '5' }, { clock });
  lk.app.addHook('onRequest', (_req, _reply, done) => {
    reachedFastify += 1;
    done();
  });
  org = await createOrg(lk);
  const sa = await createServiceAccount(lk, org, 'edge', { roleId: await roleId(lk, org, 'Admin') });
  tokens.prv = (await createToken(lk, org, { serviceAccountId: sa.id, name: 'private' })).token;
  tokens.pub = (
    await createToken(lk, org, { serviceAccountId: sa.id, type: 'public', name: 'public', domains: [ORIGIN] })
  ).token;
  tokens.narrow = (
    await createToken(lk, org, { serviceAccountId: sa.id, name: 'narrow', permissions: ['assets:view'] })
  ).token;
  // IP allowlists: the test addresses (freshAddress) are inside 10.77.0.0/16, outside 203.0.113.0/24.
  tokens.fenced = (
    await createToken(lk, org, { serviceAccountId: sa.id, name: 'fenced', allowedIps: ['10.77.0.0/16'] })
  ).token;
  tokens.fencedAway = (
    await createToken(lk, org, { serviceAccountId: sa.id, name: 'away', allowedIps: ['203.0.113.0/24'] })
  ).token;
  tokens.reportOnly = (
    await createToken(lk, org, {
      serviceAccountId: sa.id,
      type: 'public',
      name: 'report only',
      domains: [ORIGIN],
      allowedIps: ['203.0.113.0/24'],
      enforcement: 'report_only',
    })
  ).token;
  const revoked = await createToken(lk, org, { serviceAccountId: sa.id, name: 'revoked' });
  tokens.revoked = revoked.token;
  expect(
    (await call(lk, org.admin, 'DELETE', `/api/v1/orgs/${org.slug}/tokens/${revoked.item.id}`)).statusCode,
  ).toBe(204);
  tokens.expiring = (
    await createToken(lk, org, {
      serviceAccountId: sa.id,
      name: 'expiring',
      expiresAt: new Date(clock.now().getTime() + 86_400_000).toISOString(),
    })
  ).token;
  clock.advance(2 * 86_400_000);
  // Limits: answers whose window and quota state change with every request (see comparable()).
  const week = 7 * 86_400;
  tokens.limited = (
    await createToken(lk, org, {
      serviceAccountId: sa.id,
      name: 'limited',
      rateLimits: [
        { name: 'minute', limit: 5000, windowSeconds: 60 },
        { name: 'week', limit: 9000, windowSeconds: week },
      ],
    })
  ).token;
  tokens.metered = (
    await createToken(lk, org, {
      serviceAccountId: sa.id,
      name: 'metered',
      quota: { limit: 5000, refill: { interval: 'day', amount: 100 } },
      rateLimits: [{ name: 'week', limit: 9000, windowSeconds: week }],
    })
  ).token;
  tokens.overLimit = (
    await createToken(lk, org, {
      serviceAccountId: sa.id,
      name: 'over',
      rateLimits: [{ name: 'week', limit: 1, windowSeconds: week }],
    })
  ).token;
  tokens.spent = (
    await createToken(lk, org, { serviceAccountId: sa.id, name: 'spent', quota: { limit: 1, refill: null } })
  ).token;
  for (const token of [tokens.overLimit, tokens.spent])
    expect((await call(lk, null, 'POST', '/api/v1/verify', { token })).json().code).toBe('valid');
  guarded = await startInstance({ LATCHKEY_VERIFY_SECRET: 'a-very-long-shared-secret' });
});
afterAll(async () => {
  await lk?.close();
  await guarded?.close();
});

function comparable(res: LightMyRequestResponse) {
  const headers = { ...res.headers };
  delete headers.date;
  // Error envelopes carry a per-request id (in the message too); everything else must match byte for byte.
  const raw = res.rawPayload.toString('latin1');
  // Each of the two requests spends from a limited token: what is left differs by one, nothing else may.
  const body = raw.replace(/req_[0-9A-Za-z]+/g, 'req_…').replace(/"remaining":\d+/g, '"remaining":…');
  if (body.includes('req_…')) delete headers['content-length']; // ids of different lengths
  delete headers['ratelimit-remaining'];
  delete headers['x-latchkey-quota-remaining'];
  return { status: res.statusCode, headerOrder: Object.keys(headers).join(','), headers, body };
}

/** Sends `opts` through the server's entry and through Fastify's router, from two addresses with the same history. */
async function compare(
  instance: TestInstance,
  opts: InjectOptions,
  expectHot: boolean,
  addresses = [freshAddress(), freshAddress()],
) {
  const before = reachedFastify;
  const hot = await instance.app.inject({ ...opts, remoteAddress: addresses[0] });
  const answeredInFront = reachedFastify === before;
  const reference = await injectIntoFastify(instance, { ...opts, remoteAddress: addresses[1] });
  const label = `${String(opts.method)} ${String(opts.url)} ${JSON.stringify(opts.headers ?? {})} ${String(typeof opts.payload === 'string' ? opts.payload.slice(0, 80) : JSON.stringify(opts.payload ?? '').slice(0, 80))}`;
  expect(comparable(hot), label).toEqual(comparable(reference));
  if (instance === lk) expect(answeredInFront, `answered by the hot path: ${label}`).toBe(expectHot);
  return hot;
}

const verifyJson = (payload: unknown, headers: Record<string, string> = {}): InjectOptions => ({
  method: 'POST',
  url: '/api/v1/verify',
  headers,
  payload: payload as object,
});
const verifyRaw = (payload: string, contentType: string | undefined): InjectOptions => ({
  method: 'POST',
  url: '/api/v1/verify',
  headers: contentType === undefined ? {} : { 'content-type': contentType },
  payload,
});

describe('POST /api/v1/verify: the hot entry answers as the Fastify route does', () => {
  it('every decision, byte for byte, without reaching Fastify', async () => {
    const cases: [unknown, string][] = [
      [{ token: tokens.prv }, 'valid'],
      [{ token: tokens.prv, permission: 'tokens:view' }, 'valid'],
      [{ token: tokens.narrow, permission: 'assets:view' }, 'valid'],
      [{ token: tokens.narrow, permission: 'assets:edit' }, 'permission_denied'],
      [{ token: tokens.prv, origin: ORIGIN }, 'valid'],
      [{ token: tokens.pub, origin: ORIGIN }, 'valid'],
      [{ token: tokens.pub, origin: 'https://SHOP.example.com:443' }, 'valid'],
      [{ token: tokens.pub, origin: 'https://evil.example.com' }, 'origin_not_allowed'],
      [{ token: tokens.pub }, 'origin_required'],
      [{ token: tokens.pub, origin: null }, 'origin_required'],
      [{ token: tokens.pub, origin: 'null' }, 'origin_required'],
      [{ token: tokens.revoked }, 'token_revoked'],
      [{ token: tokens.expiring }, 'token_expired'],
      [{ token: generateToken('private') }, 'token_invalid'],
      [{ token: 'not a token' }, 'token_invalid'],
      [{ token: '' }, 'token_missing'],
      [{ token: `${tokens.prv}\u0000` }, 'token_invalid'],
      [{ token: 'x'.repeat(60_000) }, 'token_invalid'],
      [{ token: tokens.fenced, ip: '10.77.1.1' }, 'valid'],
      [{ token: tokens.fenced, ip: '::ffff:10.77.1.1' }, 'valid'],
      [{ token: tokens.fenced, ip: '198.51.100.1' }, 'ip_not_allowed'],
      [{ token: tokens.fenced }, 'ip_not_allowed'],
      [{ token: tokens.fenced, ip: null }, 'ip_not_allowed'],
      [{ token: tokens.reportOnly, origin: 'https://old.example', ip: '198.51.100.1' }, 'valid'],
      [{ token: tokens.reportOnly, origin: ORIGIN }, 'valid'],
      [{ token: tokens.reportOnly, origin: ORIGIN, ip: '203.0.113.9' }, 'valid'],
      [{ token: tokens.limited }, 'valid'],
      [{ token: tokens.metered }, 'valid'],
      [{ token: tokens.metered, cost: 3 }, 'valid'],
      [{ token: tokens.metered, cost: 0 }, 'valid'],
      [{ token: tokens.metered, cost: 999_999 }, 'quota_exhausted'],
      [{ token: tokens.overLimit }, 'rate_limited'],
      [{ token: tokens.spent }, 'quota_exhausted'],
      [{ token: tokens.limited, permission: 'nothing:edit' }, 'permission_denied'],
    ];
    for (const [body, code] of cases) {
      // Twice: the first may look the token up (the asynchronous path), the second comes from the cache.
      for (let i = 0; i < 2; i++) {
        const res = await compare(lk, verifyJson(body), true);
        expect(res.statusCode).toBe(200);
        expect(res.json().code).toBe(code);
      }
    }
    const warned = await compare(
      lk,
      verifyJson({ token: tokens.reportOnly, origin: 'https://old.example', ip: '198.51.100.1' }),
      true,
    );
    expect(warned.json().warnings).toEqual(['origin_not_allowed', 'ip_not_allowed']);
    const charset = await compare(
      lk,
      verifyRaw(JSON.stringify({ token: tokens.prv }), 'application/json; charset=utf-8'),
      true,
    );
    expect(charset.json().code).toBe('valid');
    // A lone surrogate is a string like any other to the schema: decided, not refused.
    const surrogate = await compare(lk, verifyRaw('{"token":"\\udfff"}', 'application/json'), true);
    expect(surrogate.json().code).toBe('token_invalid');
  });

  it('hands what it would refuse to Fastify, which answers with its envelope', async () => {
    const refused: [InjectOptions, number][] = [
      [verifyJson({}), 400],
      [verifyJson({ token: tokens.prv, extra: 1 }), 400],
      [verifyJson({ token: tokens.prv, ip: 'not an address' }), 400],
      [verifyJson({ token: tokens.prv, ip: 7 }), 400],
      [verifyJson({ token: tokens.prv, permission: 'ASSETS:view' }), 400],
      [verifyJson({ token: tokens.prv, origin: 42 }), 400],
      [verifyJson({ token: 'x'.repeat(65_537) }), 400],
      [verifyJson([tokens.prv]), 400],
      [verifyRaw('null', 'application/json'), 400],
      [verifyRaw('{"token":', 'application/json'), 400],
      [verifyRaw('{"token":"x","__proto__":{"admin":true}}', 'application/json'), 400],
      [verifyRaw('{"token":"x","constructor":{"prototype":{"admin":true}}}', 'application/json'), 400],
    ];
    for (const [opts, status] of refused)
      expect((await compare(lk, opts, false)).statusCode, JSON.stringify(opts.payload).slice(0, 60)).toBe(
        status,
      );
  });

  it('leaves to Fastify what it does not read itself: other types, empty and large bodies, other methods and paths', async () => {
    const others: [InjectOptions, number][] = [
      [verifyRaw(JSON.stringify({ token: tokens.prv }), 'text/plain'), 415],
      [verifyRaw(JSON.stringify({ token: tokens.prv }), 'Application/JSON'), 200],
      [verifyRaw(JSON.stringify({ token: tokens.prv }), undefined), 415],
      [verifyRaw('', 'application/json'), 400],
      [verifyJson({ token: tokens.prv, origin: 'x'.repeat(2000), pad: 'y'.repeat(80_000) }), 400],
      [{ method: 'GET', url: '/api/v1/verify' }, 404],
      [{ method: 'POST', url: '/api/v1/verify/', payload: { token: tokens.prv } }, 404],
      [{ method: 'POST', url: '/api/v1/verify?x=1', payload: { token: tokens.prv } }, 200],
    ];
    for (const [opts, status] of others)
      expect((await compare(lk, opts, false)).statusCode, `${String(opts.method)} ${String(opts.url)}`).toBe(
        status,
      );
  });

  it('a limited address: 429 in the same envelope for unknown values, its known tokens still answered', async () => {
    const addresses = [freshAddress(), freshAddress()];
    for (const address of addresses) {
      for (let i = 0; i < 7; i++)
        await injectIntoFastify(lk, {
          ...verifyJson({ token: generateToken('private') }),
          remoteAddress: address,
        });
    }
    expect(
      (await compare(lk, verifyJson({ token: generateToken('private') }), true, addresses)).statusCode,
    ).toBe(429);
    expect(
      (await compare(lk, verifyJson({ token: 'legacy-looking-value-0001' }), true, addresses)).statusCode,
    ).toBe(429);
    const known = await compare(lk, verifyJson({ token: tokens.prv }), true, addresses);
    expect(known.json().code).toBe('valid');
  });

  it('with a shared secret: the right one is answered in front, a wrong or missing one by Fastify (401)', async () => {
    const secret = { 'x-latchkey-verify-secret': 'a-very-long-shared-secret' };
    expect(
      (await compare(guarded, verifyJson({ token: generateToken('private') }, secret), true)).json().code,
    ).toBe('token_invalid');
    expect(
      (await compare(guarded, verifyJson({ token: 'x' }, { 'x-latchkey-verify-secret': 'nope' }), false))
        .statusCode,
    ).toBe(401);
    expect((await compare(guarded, verifyJson({ token: 'x' }), false)).statusCode).toBe(401);
  });
});

describe('GET /api/v1/forward-auth: the hot entry answers as the Fastify route does', () => {
  const fa = (
    headers: Record<string, string | string[]>,
    url = '/api/v1/forward-auth',
    method: InjectOptions['method'] = 'GET',
  ): InjectOptions => ({ method, url, headers });

  it('every decision, with the same identity headers, without reaching Fastify', async () => {
    const cases: [InjectOptions, number, string][] = [
      [fa({ authorization: `Bearer ${tokens.prv}` }), 200, 'valid'],
      [fa({ authorization: `bearer   ${tokens.prv}  ` }), 200, 'valid'],
      [fa({ authorization: `Bearer ${tokens.pub}`, origin: ORIGIN }), 200, 'valid'],
      [fa({ authorization: `Bearer ${tokens.pub}`, referer: `${ORIGIN}/page?x=1` }), 200, 'valid'],
      [
        fa({ authorization: `Bearer ${tokens.pub}`, origin: 'https://evil.example.com' }),
        403,
        'origin_not_allowed',
      ],
      [fa({ authorization: `Bearer ${tokens.pub}` }), 403, 'origin_required'],
      [
        fa({ authorization: `Bearer ${tokens.prv}` }, '/api/v1/forward-auth?permission=tokens:view'),
        200,
        'valid',
      ],
      [
        fa({ authorization: `Bearer ${tokens.narrow}` }, '/api/v1/forward-auth?permission=assets:edit'),
        403,
        'permission_denied',
      ],
      [
        fa({ authorization: `Bearer ${tokens.prv}` }, '/api/v1/forward-auth?permission=BAD'),
        403,
        'permission_denied',
      ],
      [
        fa(
          { authorization: `Bearer ${tokens.prv}` },
          '/api/v1/forward-auth?permission=a:view&permission=b:view',
        ),
        403,
        'permission_denied',
      ],
      [fa({ authorization: `Bearer ${tokens.prv}` }, '/api/v1/forward-auth?'), 200, 'valid'],
      [fa({}, `/api/v1/forward-auth?bearer_token=${tokens.prv}`), 200, 'valid'],
      [fa({ 'x-original-uri': `/app?bearer_token=${tokens.prv}` }), 200, 'valid'],
      [
        fa({ authorization: `Bearer ${tokens.prv}` }, `/api/v1/forward-auth?bearer_token=${tokens.prv}`),
        401,
        'token_invalid',
      ],
      [fa({ authorization: [`Bearer ${tokens.prv}`, `Bearer ${tokens.prv}`] }), 401, 'token_invalid'],
      [fa({ 'x-original-uri': '/a?bearer_token=1', 'x-forwarded-uri': '/b' }), 401, 'token_invalid'],
      [
        fa({
          'x-original-method': 'OPTIONS',
          'x-forwarded-method': 'GET',
          'access-control-request-method': 'GET',
          origin: ORIGIN,
          authorization: `Bearer ${tokens.prv}`,
        }),
        200,
        'valid',
      ],
      [fa({ authorization: 'Basic dXNlcjpwYXNz' }), 401, 'token_missing'],
      [fa({ authorization: 'Bearer' }), 401, 'token_invalid'],
      [fa({}), 401, 'token_missing'],
      [fa({ authorization: `Bearer ${tokens.fenced}` }), 200, 'valid'],
      [fa({ authorization: `Bearer ${tokens.fencedAway}` }), 403, 'ip_not_allowed'],
      [fa({ authorization: `Bearer ${tokens.reportOnly}`, origin: 'https://old.example' }), 200, 'valid'],
      [fa({ authorization: `Bearer ${tokens.reportOnly}` }), 200, 'valid'],
      [fa({ authorization: `Bearer ${tokens.revoked}` }), 401, 'token_revoked'],
      [fa({ authorization: `Bearer ${tokens.expiring}` }), 401, 'token_expired'],
      [fa({ authorization: `Bearer ${tokens.limited}` }), 200, 'valid'],
      [fa({ authorization: `Bearer ${tokens.metered}` }), 200, 'valid'],
      [fa({ authorization: `Bearer ${tokens.overLimit}` }), 403, 'rate_limited'],
      [fa({ authorization: `Bearer ${tokens.spent}` }), 403, 'quota_exhausted'],
      [fa({ authorization: `Bearer ${generateToken('public')}` }), 401, 'token_invalid'],
    ];
    for (const [opts, status, code] of cases) {
      for (let i = 0; i < 2; i++) {
        const res = await compare(lk, opts, true);
        expect(res.statusCode, `${String(opts.url)} ${JSON.stringify(opts.headers)}`).toBe(status);
        expect(res.headers['x-latchkey-code']).toBe(code);
        expect(res.rawPayload.length).toBe(0);
      }
    }
  });

  it('leaves preflights, other methods and paths, and Envoy to Fastify', async () => {
    const others: [InjectOptions, number][] = [
      [fa({ 'x-original-method': 'OPTIONS', 'access-control-request-method': 'GET', origin: ORIGIN }), 200],
      [fa({ authorization: `Bearer ${tokens.prv}` }, '/api/v1/forward-auth', 'HEAD'), 200],
      [fa({ authorization: `Bearer ${tokens.prv}` }, '/api/v1/forward-auth', 'POST'), 200],
      [fa({ authorization: `Bearer ${tokens.prv}` }, '/api/v1/forward-auth/'), 404],
      [fa({ authorization: `Bearer ${tokens.prv}` }, '/api/v1/forward-authx'), 404],
      [fa({ authorization: `Bearer ${tokens.prv}` }, '/api/v1/forward-auth/envoy/tokens:view/app'), 200],
    ];
    for (const [opts, status] of others)
      expect((await compare(lk, opts, false)).statusCode, `${String(opts.method)} ${String(opts.url)}`).toBe(
        status,
      );
  });

  it('a limited address gets X-Latchkey-Error: rate_limited in the same place', async () => {
    const addresses = [freshAddress(), freshAddress()];
    for (const address of addresses) {
      for (let i = 0; i < 7; i++)
        await injectIntoFastify(lk, {
          ...fa({ authorization: `Bearer ${generateToken('public')}` }),
          remoteAddress: address,
        });
    }
    const limited = await compare(
      lk,
      fa({ authorization: `Bearer ${generateToken('public')}` }),
      true,
      addresses,
    );
    expect(limited.headers['x-latchkey-error']).toBe('rate_limited');
    expect(
      (await compare(lk, fa({ authorization: `Bearer ${tokens.prv}` }), true, addresses)).statusCode,
    ).toBe(200);
  });

  it('with a shared secret: the right one is answered in front, a wrong one by Fastify', async () => {
    const right = await compare(
      guarded,
      fa({
        'x-latchkey-verify-secret': 'a-very-long-shared-secret',
        authorization: `Bearer ${generateToken('private')}`,
      }),
      true,
    );
    expect(right.headers['x-latchkey-code']).toBe('token_invalid');
    const wrong = await compare(guarded, fa({ 'x-latchkey-verify-secret': 'nope' }), false);
    expect(wrong.headers['x-latchkey-error']).toBe('unauthenticated');
  });
});

describe('a failed lookup (the database is down)', () => {
  it('is answered in front exactly as the routes answer it, with one lookup, not two', async () => {
    const lookup = lk.lookup as { byHash: (hash: string) => Promise<unknown> };
    const original = lookup.byHash;
    let lookups = 0;
    lookup.byHash = () => {
      lookups += 1;
      return Promise.reject(new Error('database unavailable (test)'));
    };
    try {
      const verifyAnswerOf = await compare(lk, verifyJson({ token: generateToken('private') }), true);
      expect(verifyAnswerOf.statusCode).toBe(500);
      expect(verifyAnswerOf.json().error.code).toBe('internal_error');
      // One lookup through the hot entry, one through Fastify's router for the reference answer.
      expect(lookups).toBe(2);
      const fa = await compare(
        lk,
        {
          method: 'GET',
          url: '/api/v1/forward-auth',
          headers: { authorization: `Bearer ${generateToken('private')}` },
        },
        true,
      );
      expect(fa.statusCode).toBe(401);
      expect(fa.headers['x-latchkey-error']).toBe('service_unavailable');
      expect(lookups).toBe(4);
      expect(lk.logs.join('')).toContain('database unavailable (test)');
    } finally {
      lookup.byHash = original;
    }
  });
});
