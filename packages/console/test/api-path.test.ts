import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { api } from '../src/api/client';
import { apiPath, pathSegment, withQuery } from '../src/api/path';

/** What a browser requests for a console API path: the WHATWG URL parser resolves it as fetch() would. */
const requested = (path: string) => new URL(`/api/v1${path}`, 'http://console.test').pathname;

describe('apiPath: every value is exactly one path segment', () => {
  it('encodes the values, not the template', () => {
    expect(apiPath`/orgs/${'acme'}/tokens/${'tok_1'}`).toBe('/orgs/acme/tokens/tok_1');
    expect(apiPath`/orgs/${'acme/service-accounts/sa_1'}/members`).toBe('/orgs/acme%2Fservice-accounts%2Fsa_1/members');
    expect(apiPath`/orgs/${'../..'}/roles`).toBe('/orgs/..%2F../roles');
    expect(apiPath`/orgs/${'a?b#c'}/members`).toBe('/orgs/a%3Fb%23c/members');
    expect(apiPath`/orgs/${'%2e%2e'}/members`).toBe('/orgs/%252e%252e/members');
    expect(apiPath`/me`).toBe('/me');
  });

  it('refuses the values no encoding keeps in place: empty, "." and ".."', () => {
    for (const bad of ['', '.', '..']) expect(() => apiPath`/orgs/${bad}/members`, JSON.stringify(bad)).toThrow(/path segment/);
    expect(() => pathSegment('...')).not.toThrow();
  });

  it('property: whatever the value, the browser requests the same endpoint with that value in its place', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.stringMatching(/^[./%a-zA-Z0-9?#\\]{1,12}$/), fc.constantFrom('%2e%2e', '.%2E', '..%2f', '%2F..')), (org) => {
        fc.pre(org !== '' && org !== '.' && org !== '..');
        const segments = requested(apiPath`/orgs/${org}/tokens/${org}/reassign`).split('/');
        expect(segments.length).toBe(8);
        expect([segments[1], segments[2], segments[3], segments[5], segments[7]]).toEqual(['api', 'v1', 'orgs', 'tokens', 'reassign']);
        expect(decodeURIComponent(segments[4]!)).toBe(org);
        expect(decodeURIComponent(segments[6]!)).toBe(org);
      }),
      { numRuns: 2000 },
    );
  });

  it('withQuery appends a built query string, and nothing for an empty one', () => {
    expect(withQuery(apiPath`/orgs/${'a/b'}/tokens`, new URLSearchParams({ status: 'active', search: 'x/y' }))).toBe('/orgs/a%2Fb/tokens?status=active&search=x%2Fy');
    expect(withQuery(apiPath`/orgs/${'a'}/service-accounts/${'sa_1'}`, '')).toBe('/orgs/a/service-accounts/sa_1');
  });
});

describe('api() requests the path it is given', () => {
  afterEach(() => vi.unstubAllGlobals());
  it('a decoded route parameter with slashes stays inside its segment', async () => {
    const urls: string[] = [];
    vi.stubGlobal('fetch', async (url: string) => {
      urls.push(url);
      return new Response('{"items":[]}', { status: 200 });
    });
    await api('GET', apiPath`/orgs/${'acme/service-accounts/sa_1'}/members`);
    expect(urls.map((u) => new URL(u, 'http://console.test').pathname)).toEqual(['/api/v1/orgs/acme%2Fservice-accounts%2Fsa_1/members']);
  });
});
