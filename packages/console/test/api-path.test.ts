import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { pathSegment } from '@latchkey/api-client';
import { call, lk, setCsrfToken } from '../src/api/client';

/**
 * The console builds API paths through the generated client (src/api/client.ts): each path parameter goes
 * through the api-client's pathSegment. These two helpers rebuild the console's former apiPath/withQuery on
 * that same function, so the assertions below keep checking the encoding every request now uses; the last
 * block checks that the client really requests it.
 */
type ApiPath = string;
function apiPath(strings: TemplateStringsArray, ...values: (string | number)[]): ApiPath {
  let out = strings[0]!;
  values.forEach((value, i) => {
    out += pathSegment(value) + strings[i + 1]!;
  });
  return out;
}
function withQuery(path: ApiPath, query: URLSearchParams | string): ApiPath {
  const q = query.toString();
  return q === '' ? path : `${path}?${q}`;
}

/** What a browser requests for a console API path: the WHATWG URL parser resolves it as fetch() would. */
const requested = (path: string) => new URL(`/api/v1${path}`, 'http://console.test').pathname;

describe('apiPath: every value is exactly one path segment', () => {
  it('encodes the values, not the template', () => {
    expect(apiPath`/orgs/${'acme'}/tokens/${'tok_1'}`).toBe('/orgs/acme/tokens/tok_1');
    expect(apiPath`/orgs/${'acme/service-accounts/sa_1'}/members`).toBe(
      '/orgs/acme%2Fservice-accounts%2Fsa_1/members',
    );
    expect(apiPath`/orgs/${'../..'}/roles`).toBe('/orgs/..%2F../roles');
    expect(apiPath`/orgs/${'a?b#c'}/members`).toBe('/orgs/a%3Fb%23c/members');
    expect(apiPath`/orgs/${'%2e%2e'}/members`).toBe('/orgs/%252e%252e/members');
    expect(apiPath`/me`).toBe('/me');
  });

  it('refuses the values no encoding keeps in place: empty, "." and ".."', () => {
    for (const bad of ['', '.', '..'])
      expect(() => apiPath`/orgs/${bad}/members`, JSON.stringify(bad)).toThrow(/path segment/);
    expect(() => pathSegment('...')).not.toThrow();
  });

  it('property: whatever the value, the browser requests the same endpoint with that value in its place', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.stringMatching(/^[./%a-zA-Z0-9?#\\]{1,12}$/),
          fc.constantFrom('%2e%2e', '.%2E', '..%2f', '%2F..'),
        ),
        (org) => {
          fc.pre(org !== '' && org !== '.' && org !== '..');
          const segments = requested(apiPath`/orgs/${org}/tokens/${org}/reassign`).split('/');
          expect(segments.length).toBe(8);
          expect([segments[1], segments[2], segments[3], segments[5], segments[7]]).toEqual([
            'api',
            'v1',
            'orgs',
            'tokens',
            'reassign',
          ]);
          expect(decodeURIComponent(segments[4]!)).toBe(org);
          expect(decodeURIComponent(segments[6]!)).toBe(org);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('withQuery appends a built query string, and nothing for an empty one', () => {
    expect(
      withQuery(apiPath`/orgs/${'a/b'}/tokens`, new URLSearchParams({ status: 'active', search: 'x/y' })),
    ).toBe('/orgs/a%2Fb/tokens?status=active&search=x%2Fy');
    expect(withQuery(apiPath`/orgs/${'a'}/service-accounts/${'sa_1'}`, '')).toBe(
      '/orgs/a/service-accounts/sa_1',
    );
  });
});

describe('the console client requests the path it is given', () => {
  afterEach(() => vi.unstubAllGlobals());
  it('a decoded route parameter with slashes stays inside its segment', async () => {
    const urls: string[] = [];
    vi.stubGlobal('fetch', async (url: string) => {
      urls.push(url);
      return new Response('{"items":[]}', { status: 200 });
    });
    await call(
      lk.GET('/api/v1/orgs/{org}/members', { params: { path: { org: 'acme/service-accounts/sa_1' } } }),
    );
    expect(urls.map((u) => new URL(u, 'http://console.test').pathname)).toEqual([
      '/api/v1/orgs/acme%2Fservice-accounts%2Fsa_1/members',
    ]);
  });

  it('property: the client puts each value in its own segment, as apiPath does, and refuses "", "." and ".."', async () => {
    const urls: string[] = [];
    vi.stubGlobal('fetch', async (url: string) => {
      urls.push(url);
      return new Response('{}', { status: 200 });
    });
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string(),
          fc.stringMatching(/^[./%a-zA-Z0-9?#\\]{1,12}$/),
          fc.constantFrom('%2e%2e', '.%2E', '..%2f', '%2F..'),
        ),
        async (org) => {
          fc.pre(org !== '' && org !== '.' && org !== '..');
          await call(
            lk.POST('/api/v1/orgs/{org}/tokens/{id}/reassign', {
              params: { path: { org, id: org } },
              body: { serviceAccountId: 'sa_1' },
            }),
          );
          expect(urls[urls.length - 1]).toBe(`/api/v1${apiPath`/orgs/${org}/tokens/${org}/reassign`}`);
        },
      ),
      { numRuns: 500 },
    );
    const sent = urls.length;
    for (const bad of ['', '.', '..'])
      await expect(
        call(lk.GET('/api/v1/orgs/{org}/members', { params: { path: { org: bad } } })),
        JSON.stringify(bad),
      ).rejects.toThrow(/path segment/);
    expect(urls.length).toBe(sent);
  });

  it('writes carry the CSRF token and JSON; the error envelope becomes an ApiError with its code and details', async () => {
    const seen: { url: string; init: RequestInit }[] = [];
    vi.stubGlobal('fetch', async (url: string, init: RequestInit) => {
      seen.push({ url, init });
      return new Response(
        JSON.stringify({
          error: {
            code: 'member_owns_tokens',
            message: 'Owns tokens',
            details: { tokens: [] },
            requestId: 'r',
          },
        }),
        { status: 409 },
      );
    });
    setCsrfToken('csrf-1');
    try {
      await expect(
        call(
          lk.DELETE('/api/v1/orgs/{org}/members/{userId}', {
            params: { path: { org: 'acme', userId: 'usr_1' } },
          }),
        ),
      ).rejects.toMatchObject({
        status: 409,
        code: 'member_owns_tokens',
        message: 'Owns tokens',
        details: { tokens: [] },
      });
      await call(
        lk.PATCH('/api/v1/orgs/{org}/members/{userId}', {
          params: { path: { org: 'acme', userId: 'usr_1' } },
          body: { roleId: 'rol_1' },
        }),
      ).catch(() => undefined);
      await call(lk.GET('/api/v1/orgs/{org}/members', { params: { path: { org: 'acme' } } })).catch(
        () => undefined,
      );
    } finally {
      setCsrfToken(null);
    }
    expect(
      seen.map((s) => [
        s.init.method,
        s.url,
        s.init.credentials,
        (s.init.headers as Record<string, string>)['x-csrf-token'],
        s.init.body,
      ]),
    ).toEqual([
      ['DELETE', '/api/v1/orgs/acme/members/usr_1', 'same-origin', 'csrf-1', undefined],
      ['PATCH', '/api/v1/orgs/acme/members/usr_1', 'same-origin', 'csrf-1', '{"roleId":"rol_1"}'],
      ['GET', '/api/v1/orgs/acme/members', 'same-origin', undefined, undefined],
    ]);
    expect((seen[1]!.init.headers as Record<string, string>)['content-type']).toBe('application/json');
  });
});
