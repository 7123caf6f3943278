import { createHash, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateToken } from '../../src/domain/token-format.js';
import {
  call,
  createOrg,
  createServiceAccount,
  createToken,
  errorCode,
  startInstance,
  verify,
  type Org,
  type TestInstance,
} from '../helpers/harness.js';

/**
 * The secret-scanning receiver (docs/secret-scanning.md), end to end through HTTP, as GitHub's partner
 * program calls it: a signed batch of found values, answered per value; live private tokens revoked,
 * public ones marked exposed; nothing read or changed before the signature verifies.
 */
const KEY_ID = 'bcb53661c06b4728e59d897fb6165d5c9cda0fd9cdf9d09ead458168deb7518c';
const scannerKeys = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
const publicPem = scannerKeys.publicKey.export({ type: 'spki', format: 'pem' }).toString();
const keysSetting = JSON.stringify({ [KEY_ID]: publicPem });
const URL_FOUND = 'https://github.com/octo/site/blob/0123456789abcdef/config/.env';

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');
const signature = (body: string, key: KeyObject = scannerKeys.privateKey) =>
  sign('sha256', Buffer.from(body), key).toString('base64');

function report(
  lk: TestInstance,
  body: string,
  headers: Record<string, string> = {
    'github-public-key-identifier': KEY_ID,
    'github-public-key-signature': signature(body),
  },
): Promise<LightMyRequestResponse> {
  return lk.app.inject({
    method: 'POST',
    url: '/api/v1/secret-scanning',
    headers: { 'content-type': 'application/json', ...headers },
    payload: body,
  });
}

const found = (token: string, extra: Record<string, string> = {}) => ({
  token,
  type: 'latchkey_token',
  url: URL_FOUND,
  source: 'commit',
  ...extra,
});

type Labels = { token_hash: string; token_type: string; label: string }[];

async function auditOf(lk: TestInstance, org: Org) {
  const res = await call(lk, org.admin, 'GET', `/api/v1/orgs/${org.slug}/audit-log?limit=200`);
  expect(res.statusCode, res.body).toBe(200);
  return (
    res.json() as {
      items: { action: string; actor: { type: string; label: string }; target: { id: string }; ip: string }[];
    }
  ).items;
}

async function tokenOf(lk: TestInstance, org: Org, id: string) {
  const res = await call(lk, org.admin, 'GET', `/api/v1/orgs/${org.slug}/tokens/${id}`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as {
    status: string;
    compromised: { at: string; where: string | null; note: string | null } | null;
    exposed: { at: string; url: string | null; source: string | null } | null;
  };
}

describe('a signed report', () => {
  let lk: TestInstance;
  let a: Org;
  let b: Org;
  let saA: string;
  beforeAll(async () => {
    lk = await startInstance({ LATCHKEY_SECRET_SCANNING_KEYS: keysSetting });
    a = await createOrg(lk);
    b = await createOrg(lk);
    saA = (await createServiceAccount(lk, a, 'ci')).id;
  });
  afterAll(() => lk.close());

  it('answers each value, revokes live private tokens, marks public ones exposed, each in its own org', async () => {
    const priv = await createToken(lk, a, { serviceAccountId: saA });
    const pub = await createToken(lk, a, {
      serviceAccountId: saA,
      type: 'public',
      domains: ['https://shop.example.com'],
    });
    const revoked = await createToken(lk, a, { serviceAccountId: saA });
    expect(
      (await call(lk, a.admin, 'DELETE', `/api/v1/orgs/${a.slug}/tokens/${revoked.item.id}`)).statusCode,
    ).toBe(204);
    // A rotation whose old value still verifies (for an hour), and one whose old value has retired.
    const pending = await createToken(lk, a, { serviceAccountId: saA });
    const pendingRotated = await call(
      lk,
      a.admin,
      'POST',
      `/api/v1/orgs/${a.slug}/tokens/${pending.item.id}/rotate`,
      {
        retire: 'at',
        at: new Date(Date.now() + 3_600_000).toISOString(),
      },
    );
    expect(pendingRotated.statusCode, pendingRotated.body).toBe(201);
    const retired = await createToken(lk, a, { serviceAccountId: saA });
    const retiredRotated = await call(
      lk,
      a.admin,
      'POST',
      `/api/v1/orgs/${a.slug}/tokens/${retired.item.id}/rotate`,
      {
        retire: 'now',
      },
    );
    expect(retiredRotated.statusCode, retiredRotated.body).toBe(201);
    const otherOrg = await createToken(lk, b, {
      serviceAccountId: (await createServiceAccount(lk, b, 'deploy')).id,
    });
    const unknown = generateToken('private');
    const malformed = priv.token.slice(0, -1) + (priv.token.endsWith('A') ? 'B' : 'A');

    const values = [
      priv.token,
      pub.token,
      revoked.token,
      unknown,
      malformed,
      pending.token,
      retired.token,
      otherOrg.token,
      priv.token, // the same value twice in one batch
    ];
    const body = JSON.stringify(values.map((v) => found(v)));
    const auditBeforeA = (await auditOf(lk, a)).length;
    const res = await report(lk, body);
    expect(res.statusCode, res.body).toBe(200);
    const labels = res.json() as Labels;
    expect(labels).toEqual(
      values.map((v) => ({
        token_hash: sha256(v),
        token_type: 'latchkey_token',
        label: [unknown, malformed].includes(v) ? 'false_positive' : 'true_positive',
      })),
    );
    // The answer never carries a value back.
    for (const v of values) expect(res.body).not.toContain(v);

    // Live private: revoked and compromised, where = the URL, the note names the scanner's source.
    expect((await verify(lk, { token: priv.token })).code).toBe('token_revoked');
    expect((await tokenOf(lk, a, priv.item.id)).compromised).toMatchObject({
      where: URL_FOUND,
      note: expect.stringContaining('commit'),
    });
    // Public: still verifies from its origin, marked exposed, not revoked.
    expect(
      (await verify(lk, { token: pub.token, origin: 'https://shop.example.com', permission: 'assets:view' }))
        .valid,
    ).toBe(true);
    const pubView = await tokenOf(lk, a, pub.item.id);
    expect(pubView.status).toBe('active');
    expect(pubView.compromised).toBeNull();
    expect(pubView.exposed).toEqual({ at: expect.any(String), url: URL_FOUND, source: 'commit' });
    // Already revoked: a true positive, now also marked compromised.
    expect((await tokenOf(lk, a, revoked.item.id)).compromised).toMatchObject({ where: URL_FOUND });
    // Its previous value still verified: the token is leaked, its new value refused too.
    const newPending = (pendingRotated.json() as { token: string }).token;
    expect((await verify(lk, { token: newPending })).code).toBe('token_revoked');
    expect((await verify(lk, { token: pending.token })).valid).toBe(false);
    // Its previous value had retired: nothing it can do, so the token stays live, marked exposed.
    const newRetired = (retiredRotated.json() as { token: string }).token;
    expect((await verify(lk, { token: newRetired })).valid).toBe(true);
    expect((await tokenOf(lk, a, retired.item.id)).exposed).toMatchObject({ url: URL_FOUND });
    // Another org's token: revoked, recorded in that org's audit log.
    expect((await verify(lk, { token: otherOrg.token })).code).toBe('token_revoked');

    const auditA = await auditOf(lk, a);
    const newInA = auditA.slice(0, auditA.length - auditBeforeA);
    const byTarget = (id: string) => newInA.filter((e) => e.target.id === id).map((e) => e.action);
    expect(byTarget(priv.item.id)).toEqual(['token.report_leak']);
    expect(byTarget(pub.item.id)).toEqual(['token.report_exposure']);
    expect(byTarget(revoked.item.id)).toEqual(['token.report_leak']);
    expect(byTarget(pending.item.id)).toEqual(['token.report_leak']);
    expect(byTarget(retired.item.id)).toEqual(['token.report_exposure']);
    expect(newInA).toHaveLength(5);
    for (const e of newInA)
      expect(e.actor).toMatchObject({ type: 'system', label: 'secret scanning (GitHub)' });
    const auditB = await auditOf(lk, b);
    expect(auditB[0]).toMatchObject({
      action: 'token.report_leak',
      target: { id: otherOrg.item.id },
      actor: { label: 'secret scanning (GitHub)' },
    });

    // No value in the audit log (either org) or in any log line.
    const everything = JSON.stringify([auditA, auditB]) + lk.logs.join('');
    for (const v of [...values, newPending, newRetired]) expect(everything).not.toContain(v);
  });

  it('a replayed report answers the same and changes nothing', async () => {
    const priv = await createToken(lk, a, { serviceAccountId: saA });
    const pub = await createToken(lk, a, {
      serviceAccountId: saA,
      type: 'public',
      domains: ['https://shop.example.com'],
    });
    // Laid out with spaces and line breaks: the signature is over these bytes, not a re-serialisation.
    const body = JSON.stringify([found(priv.token), found(pub.token)], null, 2);
    const headers = {
      'github-public-key-identifier': KEY_ID,
      'github-public-key-signature': signature(body),
    };
    const first = await report(lk, body, headers);
    expect(first.statusCode, first.body).toBe(200);
    const audit = (await auditOf(lk, a)).length;
    const views = [await tokenOf(lk, a, priv.item.id), await tokenOf(lk, a, pub.item.id)];
    const again = await report(lk, body, headers);
    expect(again.statusCode, again.body).toBe(200);
    expect(again.json()).toEqual(first.json());
    expect((await auditOf(lk, a)).length).toBe(audit);
    expect([await tokenOf(lk, a, priv.item.id), await tokenOf(lk, a, pub.item.id)]).toEqual(views);
  });

  describe('refused with 401 before anything is read, and nothing changes', () => {
    it.each([
      ['a signature that does not verify', () => ({ sig: Buffer.alloc(70, 1).toString('base64') })],
      ['a signature that is not base64', () => ({ sig: 'not a signature!' })],
      ['a signature over another body', () => ({ sig: signature('[]') })],
      [
        'a signature by another key under the configured id',
        (body: string) => ({
          sig: signature(body, generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey),
        }),
      ],
      ['an unknown key id', (body: string) => ({ sig: signature(body), id: 'f'.repeat(64) })],
      ['no signature header', () => ({ sig: undefined })],
      ['no key id header', (body: string) => ({ sig: signature(body), id: undefined })],
    ] as const)('%s', async (_name, make) => {
      const priv = await createToken(lk, a, { serviceAccountId: saA });
      const body = JSON.stringify([found(priv.token)]);
      const m = make(body) as { sig?: string; id?: string };
      const headers: Record<string, string> = {};
      const id = 'id' in m ? m.id : KEY_ID;
      if (id !== undefined) headers['github-public-key-identifier'] = id;
      if (m.sig !== undefined) headers['github-public-key-signature'] = m.sig;
      const audit = (await auditOf(lk, a)).length;
      const res = await report(lk, body, headers);
      expect(res.statusCode, res.body).toBe(401);
      expect(errorCode(res)).toMatch(/^(unauthenticated|invalid_credentials)$/);
      expect(res.body).not.toContain('label');
      expect((await verify(lk, { token: priv.token })).valid).toBe(true);
      expect((await tokenOf(lk, a, priv.item.id)).compromised).toBeNull();
      expect((await auditOf(lk, a)).length).toBe(audit);
    });

    it('malformed JSON is 401 unsigned, 400 signed', async () => {
      const body = '[{"token": "lk_prv_';
      const unsigned = await report(lk, body, { 'github-public-key-identifier': KEY_ID });
      expect(unsigned.statusCode, unsigned.body).toBe(401);
      const signed = await report(lk, body);
      expect(signed.statusCode, signed.body).toBe(400);
      expect(errorCode(signed)).toBe('validation_failed');
    });
  });

  it('refuses a body or batch over the limits, and values the schema refuses, even signed', async () => {
    const big = JSON.stringify([
      found('x'.repeat(1000), { url: 'https://e.example/' + 'p'.repeat(1_100_000) }),
    ]);
    const tooBig = await report(lk, big);
    expect(tooBig.statusCode, tooBig.body.slice(0, 200)).toBe(413);
    expect(errorCode(tooBig)).toBe('payload_too_large');
    const many = JSON.stringify(
      Array.from({ length: 1001 }, (_, i) => found(`value-${i}-${'v'.repeat(20)}`)),
    );
    const tooMany = await report(lk, many);
    expect(tooMany.statusCode, tooMany.body.slice(0, 200)).toBe(400);
    expect(errorCode(tooMany)).toBe('validation_failed');
    const control = JSON.stringify([found(generateToken('private'), { url: 'https://e.example/\u0000' })]);
    const refused = await report(lk, control);
    expect(refused.statusCode, refused.body).toBe(400);
    expect(errorCode(refused)).toBe('validation_failed');
    const notJson = await lk.app.inject({
      method: 'POST',
      url: '/api/v1/secret-scanning',
      headers: { 'content-type': 'text/plain' },
      payload: 'lk_prv_x',
    });
    expect(notJson.statusCode, notJson.body).toBe(415);
  });
});

describe('the receiver', () => {
  it('is off (404) without keys configured', async () => {
    const lk = await startInstance();
    try {
      const org = await createOrg(lk);
      const sa = await createServiceAccount(lk, org, 'ci');
      const priv = await createToken(lk, org, { serviceAccountId: sa.id });
      const body = JSON.stringify([found(priv.token)]);
      const res = await report(lk, body);
      expect(res.statusCode, res.body).toBe(404);
      expect(errorCode(res)).toBe('not_found');
      expect((await verify(lk, { token: priv.token })).valid).toBe(true);
    } finally {
      await lk.close();
    }
  });

  it('bad signatures count against the credential limits: the address is then refused, even signed', async () => {
    const lk = await startInstance({
      LATCHKEY_SECRET_SCANNING_KEYS: keysSetting,
      LATCHKEY_SIGNIN_ADDRESS_LIMIT: '3',
    });
    try {
      const body = JSON.stringify([found(generateToken('private'))]);
      for (let i = 0; i < 3; i++) {
        const res = await report(lk, body, {
          'github-public-key-identifier': KEY_ID,
          'github-public-key-signature': signature('[]'),
        });
        expect(res.statusCode, res.body).toBe(401);
      }
      const limited = await report(lk, body);
      expect(limited.statusCode, limited.body).toBe(429);
      expect(errorCode(limited)).toBe('rate_limited');
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    } finally {
      await lk.close();
    }
  });

  it("takes GitHub's key list as its API answers it, and a deployment prefix in the values", async () => {
    const lk = await startInstance({
      LATCHKEY_TOKEN_PREFIX: 'acme_',
      LATCHKEY_SECRET_SCANNING_KEYS: JSON.stringify({
        public_keys: [
          { key_identifier: 'old', key: publicPemOf(), is_current: false },
          { key_identifier: KEY_ID, key: publicPem, is_current: true },
        ],
      }),
    });
    try {
      const org = await createOrg(lk);
      const sa = await createServiceAccount(lk, org, 'ci');
      const priv = await createToken(lk, org, { serviceAccountId: sa.id });
      expect(priv.token.startsWith('acme_lk_prv_')).toBe(true);
      const withoutPrefix = priv.token.slice('acme_'.length);
      const body = JSON.stringify([found(priv.token), found(withoutPrefix)]);
      const res = await report(lk, body);
      expect(res.statusCode, res.body).toBe(200);
      expect((res.json() as Labels).map((l) => l.label)).toEqual(['true_positive', 'false_positive']);
      expect((await verify(lk, { token: priv.token })).code).toBe('token_revoked');
    } finally {
      await lk.close();
    }
  });
});

function publicPemOf(): string {
  return generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
    .publicKey.export({ type: 'spki', format: 'pem' })
    .toString();
}
