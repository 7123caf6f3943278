import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bearer,
  call,
  createOrg,
  createServiceAccount,
  createToken,
  errorCode,
  login,
  PASSWORD,
  startInstance,
  type Org,
  type TestInstance,
} from '../helpers/harness.js';

let lk: TestInstance;
let org: Org;
beforeAll(async () => {
  lk = await startInstance();
  org = await createOrg(lk);
});
afterAll(() => lk.close());

describe('console sessions', () => {
  it('wrong password and unknown email get the same answer', async () => {
    const wrong = await lk.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: org.ownerEmail, password: 'nope-nope-nope' },
    });
    const unknown = await lk.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: 'ghost@nowhere.test', password: 'nope-nope-nope' },
    });
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    expect(errorCode(wrong)).toBe('invalid_credentials');
    expect(wrong.json().error.message).toBe(unknown.json().error.message);
  });

  it('sets an HttpOnly SameSite cookie; /me returns the user, orgs and a CSRF token', async () => {
    const res = await lk.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: org.ownerEmail.toUpperCase(), password: PASSWORD },
    });
    expect(res.statusCode, res.body).toBe(200);
    const cookie = res.cookies.find((c) => c.name === 'latchkey_session')!;
    expect(cookie.httpOnly).toBe(true);
    expect(cookie.sameSite).toBe('Lax');
    const caller = await login(lk, org.ownerEmail);
    const me = (await call(lk, caller, 'GET', '/api/v1/me')).json();
    expect(me).toMatchObject({
      kind: 'session',
      user: { email: org.ownerEmail },
      orgs: [{ slug: org.slug, roleName: 'Owner' }],
    });
    expect(me.csrfToken).toEqual(expect.any(String));
  });

  it('cookie-authenticated writes need the CSRF token; token-authenticated ones do not', async () => {
    const caller = await login(lk, org.ownerEmail);
    const noCsrf = await lk.app.inject({
      method: 'POST',
      url: `/api/v1/orgs/${org.slug}/service-accounts`,
      headers: { cookie: caller.headers.cookie! },
      payload: { name: 'csrf-less' },
    });
    expect(noCsrf.statusCode).toBe(403);
    expect(errorCode(noCsrf)).toBe('csrf_invalid');
    const forged = await lk.app.inject({
      method: 'POST',
      url: `/api/v1/orgs/${org.slug}/service-accounts`,
      headers: { cookie: caller.headers.cookie!, 'x-csrf-token': 'forged' },
      payload: { name: 'csrf-forged' },
    });
    expect(errorCode(forged)).toBe('csrf_invalid');
    const withCsrf = await call(lk, caller, 'POST', `/api/v1/orgs/${org.slug}/service-accounts`, {
      name: 'csrf-ok',
    });
    expect(withCsrf.statusCode, withCsrf.body).toBe(201);
    const byToken = await call(lk, org.admin, 'POST', `/api/v1/orgs/${org.slug}/service-accounts`, {
      name: 'token-ok',
    });
    expect(byToken.statusCode).toBe(201);
  });

  it('logout ends the session', async () => {
    const caller = await login(lk, org.ownerEmail);
    expect((await call(lk, caller, 'POST', '/api/v1/auth/logout')).statusCode).toBe(204);
    expect((await call(lk, caller, 'GET', '/api/v1/me')).statusCode).toBe(401);
  });

  it('no credentials → 401 unauthenticated', async () => {
    const res = await call(lk, null, 'GET', `/api/v1/orgs/${org.slug}/tokens`);
    expect(res.statusCode).toBe(401);
    expect(errorCode(res)).toBe('unauthenticated');
  });
});

describe('password change', () => {
  it('changing the password ends every other session; the old password stops working', async () => {
    const o = await createOrg(lk);
    const first = await login(lk, o.ownerEmail);
    const second = await login(lk, o.ownerEmail);
    const wrong = await call(lk, first, 'POST', '/api/v1/me/password', {
      currentPassword: 'not it at all',
      newPassword: 'a brand new password',
    });
    expect(errorCode(wrong)).toBe('invalid_credentials');
    const weak = await call(lk, first, 'POST', '/api/v1/me/password', {
      currentPassword: PASSWORD,
      newPassword: 'short',
    });
    expect(errorCode(weak)).toBe('validation_failed');
    const ok = await call(lk, first, 'POST', '/api/v1/me/password', {
      currentPassword: PASSWORD,
      newPassword: 'a brand new password',
    });
    expect(ok.statusCode, ok.body).toBe(200);
    expect((await call(lk, second, 'GET', '/api/v1/me')).statusCode).toBe(401);
    expect((await call(lk, first, 'GET', '/api/v1/me')).statusCode).toBe(401);
    const fresh = ok.cookies.find((c) => c.name === 'latchkey_session')!;
    expect(
      (
        await lk.app.inject({
          method: 'GET',
          url: '/api/v1/me',
          headers: { cookie: `latchkey_session=${fresh.value}` },
        })
      ).statusCode,
    ).toBe(200);
    expect(
      (
        await lk.app.inject({
          method: 'POST',
          url: '/api/v1/auth/login',
          payload: { email: o.ownerEmail, password: PASSWORD },
        })
      ).statusCode,
    ).toBe(401);
    expect(
      (
        await lk.app.inject({
          method: 'POST',
          url: '/api/v1/auth/login',
          payload: { email: o.ownerEmail, password: 'a brand new password' },
        })
      ).statusCode,
    ).toBe(200);
  });
  // Failed sign-ins no longer lock an account (anyone could lock anyone out): see sign-in-limits.test.ts.
});

describe('private tokens as API credentials', () => {
  it('a private token acts within its org with its effective permissions', async () => {
    const me = (await call(lk, org.admin, 'GET', '/api/v1/me')).json();
    expect(me).toMatchObject({ kind: 'token', orgs: [{ id: org.id }] });
    expect(me.token.permissions).toContain('tokens:edit');
    expect(me.token.permissions).not.toContain('org_settings:edit');
    const settings = await call(lk, org.admin, 'PATCH', `/api/v1/orgs/${org.slug}`, {
      name: 'renamed by token',
    });
    expect(settings.statusCode).toBe(403);
  });

  it('public, revoked, malformed and unknown tokens are refused with 401', async () => {
    const sa = await createServiceAccount(lk, org, 'api-caller');
    const pub = await createToken(lk, org, {
      serviceAccountId: sa.id,
      type: 'public',
      domains: ['https://a.example.com'],
    });
    const revoked = await createToken(lk, org, { serviceAccountId: sa.id });
    await call(lk, org.admin, 'DELETE', `/api/v1/orgs/${org.slug}/tokens/${revoked.item.id}`);
    for (const value of [pub.token, revoked.token, 'lk_prv_garbage', 'lk_prv_' + 'A'.repeat(38)]) {
      const res = await call(lk, bearer(value), 'GET', `/api/v1/orgs/${org.slug}/tokens`);
      expect(res.statusCode, value).toBe(401);
      expect(errorCode(res)).toBe('invalid_credentials');
      expect(res.body).not.toContain(value);
    }
    const malformedHeader = await lk.app.inject({
      method: 'GET',
      url: `/api/v1/orgs/${org.slug}/tokens`,
      headers: { authorization: 'Basic abc' },
    });
    expect(errorCode(malformedHeader)).toBe('unauthenticated');
  });

  it('session-only routes refuse tokens', async () => {
    const res = await call(lk, org.admin, 'POST', '/api/v1/orgs', {
      name: 'Made by a token',
      slug: 'token-org',
    });
    expect(res.statusCode).toBe(403);
  });

  it('a signed-in user can create another org and owns it', async () => {
    const caller = await login(lk, org.ownerEmail);
    const res = await call(lk, caller, 'POST', '/api/v1/orgs', {
      name: 'Second',
      slug: `second-${Date.now()}`,
    });
    expect(res.statusCode, res.body).toBe(201);
    const dup = await call(lk, caller, 'POST', '/api/v1/orgs', { name: 'Dup', slug: res.json().slug });
    expect(errorCode(dup)).toBe('name_taken');
    const bad = await call(lk, caller, 'POST', '/api/v1/orgs', { name: 'Bad', slug: 'Has Spaces' });
    expect(errorCode(bad)).toBe('validation_failed');
  });
});

describe('first-run setup', () => {
  it('issues a one-time link on an empty database, creates the owner and org, then refuses', async () => {
    const fresh = await startInstance();
    try {
      expect((await fresh.app.inject({ method: 'GET', url: '/api/v1/setup' })).json()).toEqual({
        pending: true,
      });
      const link = await fresh.services.setup.issueSetupLink();
      expect(link).toMatch(new RegExp(`^${fresh.config.publicUrl}/setup#token=[0-9A-Za-z]{40}$`));
      const token = link!.split('#token=')[1]!;
      const body = {
        orgName: 'Acme',
        orgSlug: 'acme',
        name: 'Ada',
        email: 'ada@acme.test',
        password: PASSWORD,
      };
      const bad = await fresh.app.inject({
        method: 'POST',
        url: '/api/v1/setup',
        payload: { ...body, token: 'wrong' },
      });
      expect(errorCode(bad)).toBe('setup_invalid');
      const ok = await fresh.app.inject({
        method: 'POST',
        url: '/api/v1/setup',
        payload: { ...body, token },
      });
      expect(ok.statusCode, ok.body).toBe(201);
      expect(ok.json()).toMatchObject({ user: { email: 'ada@acme.test' }, org: { slug: 'acme' } });
      expect(ok.cookies.some((c) => c.name === 'latchkey_session')).toBe(true);
      const again = await fresh.app.inject({
        method: 'POST',
        url: '/api/v1/setup',
        payload: { ...body, token },
      });
      expect(errorCode(again)).toBe('setup_complete');
      expect(await fresh.services.setup.issueSetupLink()).toBeNull();
    } finally {
      await fresh.close();
    }
  });

  it('refuses a weak password without creating anything', async () => {
    const fresh = await startInstance();
    try {
      const token = (await fresh.services.setup.issueSetupLink())!.split('#token=')[1]!;
      const res = await fresh.app.inject({
        method: 'POST',
        url: '/api/v1/setup',
        payload: { token, orgName: 'A', orgSlug: 'a', name: 'A', email: 'a@a.test', password: 'short' },
      });
      expect(errorCode(res)).toBe('validation_failed');
      expect((await fresh.app.inject({ method: 'GET', url: '/api/v1/setup' })).json()).toEqual({
        pending: true,
      });
    } finally {
      await fresh.close();
    }
  });
});
