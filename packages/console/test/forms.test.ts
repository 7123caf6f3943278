import { describe, expect, it } from 'vitest';
import {
  domainEntry,
  domainError,
  grantablePermissions,
  localDateTimeInput,
  orgNameError,
  retireAtError,
  SERVICE_ACCOUNT_REQUIRED,
  serviceAccountNameError,
  tokenFormErrors,
  type TokenFormValues,
} from '../src/validation/forms';

const base: TokenFormValues = {
  name: 'site',
  serviceAccountId: 'sa_x',
  type: 'private',
  domains: [],
  allowedIps: [],
  enforcement: 'enforce',
  rateLimits: [],
  quota: null,
  permissions: [],
  expiresAt: '',
};

describe('console form rules', () => {
  it('service account names: the server rule, with its message', () => {
    expect(serviceAccountNameError('web-shop')).toBeNull();
    expect(serviceAccountNameError('web shop')).toMatch(/letters, digits, "-" and "_"/);
    expect(serviceAccountNameError('')).toBe('A name is required.');
    expect(serviceAccountNameError('sa_0123456789abcdefghij')).toMatch(/must not look like an id/);
  });

  it('org names: the server rule, with its message', () => {
    expect(orgNameError('Acme Corp.')).toBeNull();
    expect(orgNameError('')).toBe('A name is required.');
    expect(orgNameError('Acme\nsecond line')).toMatch(/one line/);
    expect(orgNameError('Acme\u202Etxt')).toMatch(/text-direction/);
  });

  it('domains: wildcards refused with the explanation, bad origins refused, good ones accepted', () => {
    expect(domainError('https://*.yourwebpage.com')).toMatch(/list every subdomain explicitly/);
    expect(domainError('ftp://example.com')).toMatch(/not a valid domain/);
    expect(domainError('https://subdomain1.yourwebpage.com/')).toBeNull();
  });

  it('a domain entry becomes the origin the server stores: scheme added, case folded, default port dropped', () => {
    expect(domainEntry('Shop.Example.COM')).toEqual({
      ok: true,
      origin: 'https://shop.example.com',
      warning: null,
    });
    expect(domainEntry(' https://shop.example.com:443/ ')).toEqual({
      ok: true,
      origin: 'https://shop.example.com',
      warning: null,
    });
    expect(domainEntry('https://shop.example.com:8443')).toMatchObject({
      origin: 'https://shop.example.com:8443',
    });
  });

  it('a path is refused with the origin to enter instead; a wildcard with its reason', () => {
    const path = domainEntry('https://shop.example.com/checkout?x=1');
    expect(path.ok).toBe(false);
    expect(!path.ok && path.message).toMatch(
      /without a path: "\/checkout\?x=1".*Enter https:\/\/shop\.example\.com\./,
    );
    expect(domainEntry('shop.example.com/#top').ok).toBe(false);
    const wild = domainEntry('*.example.com');
    expect(!wild.ok && wild.message).toMatch(/Wildcards are not supported/);
  });

  it('plain http is kept with a warning, except on this machine', () => {
    const http = domainEntry('http://shop.example.com');
    expect(http).toMatchObject({ ok: true, origin: 'http://shop.example.com' });
    expect(http.ok && http.warning).toMatch(/plain http.*unencrypted/);
    for (const local of ['http://localhost:3000', 'http://127.0.0.1:8080', 'http://[::1]:5173'])
      expect(domainEntry(local)).toMatchObject({ ok: true, warning: null });
  });

  it('a token needs a service account, whatever its type', () => {
    expect(tokenFormErrors({ ...base, serviceAccountId: null }).serviceAccountId).toBe(
      SERVICE_ACCOUNT_REQUIRED,
    );
    expect(
      tokenFormErrors({ ...base, type: 'public', domains: ['https://a.com'], serviceAccountId: null })
        .serviceAccountId,
    ).toBe(SERVICE_ACCOUNT_REQUIRED);
    expect(tokenFormErrors(base)).toEqual({});
  });

  it('a public token needs valid domains; a past expiry is refused', () => {
    expect(tokenFormErrors({ ...base, type: 'public' }).domains).toMatch(/at least one domain/);
    expect(
      tokenFormErrors({ ...base, type: 'public', domains: ['https://ok.com', '*.bad.com'] }).domains,
    ).toMatch(/explicitly/);
    expect(tokenFormErrors({ ...base, expiresAt: '2000-01-01T00:00' }).expiresAt).toMatch(/future/);
    expect(tokenFormErrors({ ...base, name: '  ' }).name).toBeDefined();
  });

  it('offers only the permissions the account holds, and only public-safe ones for public tokens', () => {
    const held = ['assets:edit', 'assets:view', 'orders:view'];
    expect(grantablePermissions(held, 'private', ['assets:view'])).toEqual(held);
    expect(grantablePermissions(held, 'public', ['assets:view'])).toEqual(['assets:view']);
  });

  it('rotate at a time: in the future and at most 30 days ahead (the server rule)', () => {
    const now = new Date(2026, 11, 6, 12, 0);
    const at = (days: number) => localDateTimeInput(new Date(now.getTime() + days * 86_400_000));
    expect(localDateTimeInput(now)).toBe('2026-12-06T12:00');
    expect(retireAtError(at(1), now)).toBeNull();
    expect(retireAtError(at(30), now)).toBeNull();
    expect(retireAtError(at(31), now)).toMatch(/at most 30 days/);
    expect(retireAtError(at(-1), now)).toMatch(/in the future/);
    expect(retireAtError('', now)).toMatch(/Choose when/);
  });
});
