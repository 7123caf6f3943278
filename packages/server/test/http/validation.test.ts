import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  call,
  createOrg,
  createServiceAccount,
  createToken,
  errorCode,
  login,
  startInstance,
  type Caller,
  type Org,
  type TestInstance,
} from '../helpers/harness.js';

let lk: TestInstance;
let org: Org;
let owner: Caller;
let sa: { id: string };
let tokenId: string;
beforeAll(async () => {
  lk = await startInstance();
  org = await createOrg(lk);
  owner = await login(lk, org.ownerEmail);
  sa = await createServiceAccount(lk, org, 'target');
  tokenId = (await createToken(lk, org, { serviceAccountId: sa.id })).item.id;
});
afterAll(() => lk.close());

/** A fingerprint of everything the org holds: if it is unchanged, nothing was written. */
async function snapshot() {
  const get = async (p: string) => (await call(lk, owner, 'GET', `/api/v1/orgs/${org.slug}${p}`)).body;
  return [
    await get(''),
    await get('/service-accounts'),
    await get('/tokens?status=all&limit=200'),
    await get('/roles'),
    await get('/members'),
    await get('/invitations'),
    await get('/audit-log?limit=200'),
  ].join('\n');
}

const o = () => `/api/v1/orgs/${org.slug}`;
const long = 'x'.repeat(5000);

describe('bad input gets a clear error with a stable code and changes nothing', () => {
  const cases: [string, 'POST' | 'PATCH' | 'DELETE', () => string, () => unknown, string][] = [
    [
      'wrong type for name',
      'POST',
      () => `${o()}/service-accounts`,
      () => ({ name: 42 }),
      'validation_failed',
    ],
    [
      'unknown field',
      'POST',
      () => `${o()}/service-accounts`,
      () => ({ name: 'ok-name', admin: true }),
      'validation_failed',
    ],
    [
      'over-long description',
      'POST',
      () => `${o()}/service-accounts`,
      () => ({ name: 'ok-name', description: long }),
      'validation_failed',
    ],
    [
      'name with a space',
      'POST',
      () => `${o()}/service-accounts`,
      () => ({ name: 'with space' }),
      'invalid_service_account_name',
    ],
    [
      'bad role id',
      'POST',
      () => `${o()}/service-accounts`,
      () => ({ name: 'ok-name', roleId: 'rol_nope' }),
      'validation_failed',
    ],
    ['array body', 'POST', () => `${o()}/service-accounts`, () => [], 'validation_failed'],
    [
      'token type unknown',
      'POST',
      () => `${o()}/tokens`,
      () => ({ name: 't', type: 'secret', serviceAccountId: sa.id }),
      'validation_failed',
    ],
    [
      'wildcard domain',
      'POST',
      () => `${o()}/tokens`,
      () => ({ name: 't', type: 'public', serviceAccountId: sa.id, domains: ['*.shop.com'] }),
      'wildcard_domain',
    ],
    [
      'bad origin',
      'POST',
      () => `${o()}/tokens`,
      () => ({ name: 't', type: 'public', serviceAccountId: sa.id, domains: ['javascript:alert(1)'] }),
      'invalid_domain',
    ],
    [
      'one bad origin among good',
      'POST',
      () => `${o()}/tokens`,
      () => ({
        name: 't',
        type: 'public',
        serviceAccountId: sa.id,
        domains: ['https://ok.com', 'https://*.bad.com'],
      }),
      'wildcard_domain',
    ],
    [
      'too many domains',
      'POST',
      () => `${o()}/tokens`,
      () => ({
        name: 't',
        type: 'public',
        serviceAccountId: sa.id,
        domains: Array.from({ length: 101 }, (_, i) => `https://s${i}.com`),
      }),
      'validation_failed',
    ],
    [
      'unknown permission',
      'POST',
      () => `${o()}/tokens`,
      () => ({ name: 't', type: 'private', serviceAccountId: sa.id, permissions: ['rockets:view'] }),
      'invalid_permission',
    ],
    [
      'malformed permission',
      'POST',
      () => `${o()}/tokens`,
      () => ({ name: 't', type: 'private', serviceAccountId: sa.id, permissions: ['assets:destroy'] }),
      'validation_failed',
    ],
    [
      'expiry not a date',
      'POST',
      () => `${o()}/tokens`,
      () => ({ name: 't', type: 'private', serviceAccountId: sa.id, expiresAt: 'tomorrow' }),
      'validation_failed',
    ],
    ['empty patch', 'PATCH', () => `${o()}/tokens/${tokenId}`, () => ({}), 'validation_failed'],
    ['bad token id', 'PATCH', () => `${o()}/tokens/tok_short`, () => ({ name: 'x' }), 'validation_failed'],
    ['negative max lifetime', 'PATCH', () => o(), () => ({ maxTokenLifetimeDays: -1 }), 'validation_failed'],
    ['string max lifetime', 'PATCH', () => o(), () => ({ maxTokenLifetimeDays: '30' }), 'validation_failed'],
    [
      'import with no rows',
      'POST',
      () => `${o()}/tokens/import`,
      () => ({ tokens: [] }),
      'validation_failed',
    ],
    [
      'import with a bad row',
      'POST',
      () => `${o()}/tokens/import`,
      () => ({
        tokens: [{ ownerEmail: 'nobody@x.test', name: 'n', type: 'private', value: 'legacy-value-1' }],
      }),
      'invalid_import',
    ],
    [
      'role with an unknown permission',
      'POST',
      () => `${o()}/roles`,
      () => ({ name: 'R', permissions: ['x:view'] }),
      'invalid_permission',
    ],
    [
      'invitation with a bad email',
      'POST',
      () => `${o()}/invitations`,
      () => ({ email: 'not-an-email', roleId: 'rol_aaaaaaaaaaaaaaaaaaaa' }),
      'validation_failed',
    ],
  ];

  it.each(cases)('%s → %s', async (_label, method, url, body, code) => {
    const before = await snapshot();
    const res = await call(lk, owner, method, url(), body());
    expect(res.statusCode, res.body).toBeGreaterThanOrEqual(400);
    expect(res.statusCode).toBeLessThan(500);
    expect(errorCode(res), res.body).toBe(code);
    expect(res.json().error.message.length).toBeGreaterThan(10);
    expect(res.json().error.requestId).toMatch(/^req_/);
    expect(await snapshot()).toBe(before);
  });

  it('invalid JSON, wrong content type and oversized bodies are refused', async () => {
    const before = await snapshot();
    const bad = await lk.app.inject({
      method: 'POST',
      url: `${o()}/service-accounts`,
      headers: { ...owner.headers, 'content-type': 'application/json' },
      payload: '{"name": ',
    });
    expect(errorCode(bad)).toBe('validation_failed');
    const text = await lk.app.inject({
      method: 'POST',
      url: `${o()}/service-accounts`,
      headers: { ...owner.headers, 'content-type': 'text/plain' },
      payload: 'name=x',
    });
    expect(errorCode(text)).toBe('unsupported_media_type');
    const huge = await lk.app.inject({
      method: 'POST',
      url: `${o()}/service-accounts`,
      headers: { ...owner.headers, 'content-type': 'application/json' },
      payload: JSON.stringify({ name: 'x', description: 'y'.repeat(2_000_000) }),
    });
    expect(huge.statusCode).toBe(413);
    expect(errorCode(huge)).toBe('payload_too_large');
    const proto = await lk.app.inject({
      method: 'POST',
      url: `${o()}/service-accounts`,
      headers: { ...owner.headers, 'content-type': 'application/json' },
      payload: '{"name":"p","__proto__":{"admin":true}}',
    });
    expect(proto.statusCode).toBe(400);
    expect(await snapshot()).toBe(before);
  });

  it('unknown routes answer the same envelope', async () => {
    const res = await call(lk, owner, 'GET', '/api/v1/nothing-here');
    expect(res.statusCode).toBe(404);
    expect(errorCode(res)).toBe('not_found');
  });
});

describe('malformed strings and dates are refused by the schema, on both stores (finding 9)', () => {
  const cursor = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const cases: [string, 'GET' | 'POST', () => string, () => unknown][] = [
    [
      'a NUL in the sign-in e-mail (no session needed)',
      'POST',
      () => '/api/v1/auth/login',
      () => ({ email: 'owner\u0000@x.test', password: 'x' }),
    ],
    [
      'a lone surrogate in the sign-in e-mail',
      'POST',
      () => '/api/v1/auth/login',
      () => ({ email: 'owner\ud800@x.test', password: 'x' }),
    ],
    [
      'a lone surrogate in a token name',
      'POST',
      () => `${o()}/tokens`,
      () => ({ name: 'a\udc00b', type: 'private', serviceAccountId: sa.id }),
    ],
    [
      'a NUL in a token name',
      'POST',
      () => `${o()}/tokens`,
      () => ({ name: 'a\u0000b', type: 'private', serviceAccountId: sa.id }),
    ],
    [
      'a NUL in a description',
      'POST',
      () => `${o()}/roles`,
      () => ({ name: 'Nul', description: 'x\u0000', permissions: [] }),
    ],
    ['a NUL in the org of the path', 'GET', () => '/api/v1/orgs/%00/tokens', () => undefined],
    ['a NUL in a search', 'GET', () => `${o()}/tokens?search=%00`, () => undefined],
    [
      'a cursor whose createdAt is not a date',
      'GET',
      () => `${o()}/tokens?cursor=${cursor({ createdAt: 'yesterday', id: tokenId })}`,
      () => undefined,
    ],
    [
      'a cursor whose createdAt is a leap second',
      'GET',
      () => `${o()}/tokens?cursor=${cursor({ createdAt: '2016-12-31T23:59:60Z', id: tokenId })}`,
      () => undefined,
    ],
    [
      'an audit cursor that is not a number',
      'GET',
      () => `${o()}/audit-log?cursor=${cursor({ seq: '1e400' })}`,
      () => undefined,
    ],
    [
      'audit since with a leap second',
      'GET',
      () => `${o()}/audit-log?since=2016-12-31T23:59:60Z`,
      () => undefined,
    ],
    ['audit until in year 0', 'GET', () => `${o()}/audit-log?until=0000-01-01T00:00:00Z`, () => undefined],
    [
      'audit since on 30 February',
      'GET',
      () => `${o()}/audit-log?since=2023-02-30T00:00:00Z`,
      () => undefined,
    ],
    [
      'an expiry in year 10000 once its offset applies',
      'POST',
      () => `${o()}/tokens`,
      () => ({ name: 't', type: 'private', serviceAccountId: sa.id, expiresAt: '9999-12-31T23:30:00-01:00' }),
    ],
  ];
  it.each(cases)('%s → 400 validation_failed', async (_label, method, url, body) => {
    const before = await snapshot();
    const res = await call(lk, owner, method, url(), body());
    expect(res.statusCode, res.body).toBe(400);
    expect(errorCode(res), res.body).toBe('validation_failed');
    expect(await snapshot()).toBe(before);
  });

  it('a well-formed date-time with an offset is accepted', async () => {
    const res = await call(
      lk,
      owner,
      'GET',
      `${o()}/audit-log?since=${encodeURIComponent('2020-02-29T23:59:59.5+05:30')}`,
    );
    expect(res.statusCode, res.body).toBe(200);
  });
});
