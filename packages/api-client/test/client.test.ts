import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createLatchkeyClient, errorEnvelope, pathSegment, segmentPathSerializer } from '../src/index.js';

/** A client whose fetch records the Request and answers `answer`. */
function recording(
  answer: () => Response,
  options: Partial<Parameters<typeof createLatchkeyClient>[0]> = {},
) {
  const requests: Request[] = [];
  const client = createLatchkeyClient({
    baseUrl: 'http://latchkey.test',
    fetch: async (request) => {
      requests.push(request);
      return answer();
    },
    ...options,
  });
  return { client, requests };
}
const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

describe('path parameters: every value is exactly one segment', () => {
  it('encodes each value, refuses "", "." and ".."', () => {
    expect(segmentPathSerializer('/api/v1/orgs/{org}/tokens/{id}', { org: 'a/b', id: 'tok_1' })).toBe(
      '/api/v1/orgs/a%2Fb/tokens/tok_1',
    );
    expect(segmentPathSerializer('/api/v1/orgs/{org}/members', { org: '%2e%2e' })).toBe(
      '/api/v1/orgs/%252e%252e/members',
    );
    for (const bad of ['', '.', '..'])
      expect(() => segmentPathSerializer('/api/v1/orgs/{org}', { org: bad }), JSON.stringify(bad)).toThrow(
        /path segment/,
      );
    expect(() => pathSegment('...')).not.toThrow();
  });

  it('property: whatever the value, the request goes to the same endpoint with that value in its place', async () => {
    const { client, requests } = recording(() => json(200, {}));
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string(),
          fc.stringMatching(/^[./%a-zA-Z0-9?#\\]{1,12}$/),
          fc.constantFrom('%2e%2e', '.%2E', '..%2f', '%2F..'),
        ),
        async (org) => {
          fc.pre(org !== '' && org !== '.' && org !== '..');
          await client.POST('/api/v1/orgs/{org}/tokens/{id}/reassign', {
            params: { path: { org, id: org } },
            body: { serviceAccountId: 'sa_1' },
          });
          const segments = new URL(requests[requests.length - 1]!.url).pathname.split('/');
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
      { numRuns: 500 },
    );
  });

  it('a refused value sends nothing', async () => {
    const { client, requests } = recording(() => json(200, {}));
    await expect(client.GET('/api/v1/orgs/{org}', { params: { path: { org: '..' } } })).rejects.toThrow(
      /path segment/,
    );
    expect(requests).toEqual([]);
  });
});

describe('createLatchkeyClient', () => {
  it('sends the headers, credentials and redirect mode it was given, and JSON bodies', async () => {
    const { client, requests } = recording(() => json(201, { ok: true }), {
      headers: { authorization: 'Bearer lk_prv_x' },
      credentials: 'include',
      redirect: 'manual',
    });
    const { data } = await client.POST('/api/v1/orgs/{org}/service-accounts', {
      params: { path: { org: 'acme' } },
      body: { name: 'bot' },
    });
    expect(data).toEqual({ ok: true });
    const r = requests[0]!;
    expect([r.method, r.url]).toEqual(['POST', 'http://latchkey.test/api/v1/orgs/acme/service-accounts']);
    expect(r.headers.get('authorization')).toBe('Bearer lk_prv_x');
    expect(r.headers.get('content-type')).toBe('application/json');
    expect(r.credentials).toBe('include');
    expect(r.redirect).toBe('manual');
    expect(await r.text()).toBe('{"name":"bot"}');
  });

  it('query parameters are encoded; an error answer comes back as the envelope, not a throw', async () => {
    const body = { error: { code: 'not_found', message: 'No such org', requestId: 'req_1' } };
    const { client, requests } = recording(() => json(404, body));
    const { data, error, response } = await client.GET('/api/v1/orgs/{org}/tokens', {
      params: { path: { org: 'acme' }, query: { search: 'a&b=c', status: 'all' } },
    });
    expect(new URL(requests[0]!.url).searchParams.get('search')).toBe('a&b=c');
    expect([data, response.status]).toEqual([undefined, 404]);
    expect(errorEnvelope(error)).toEqual(body.error);
    expect(errorEnvelope('<html>')).toBeUndefined();
    expect(errorEnvelope({ error: 'x' })).toBeUndefined();
  });

  it('without a fetch option, uses globalThis.fetch at call time (tests can stub it)', async () => {
    const original = globalThis.fetch;
    const seen: string[] = [];
    globalThis.fetch = (async (input: Request) => {
      seen.push(input.url);
      return json(200, { pending: false });
    }) as typeof fetch;
    try {
      const { data } = await createLatchkeyClient({ baseUrl: 'http://latchkey.test' }).GET('/api/v1/setup');
      expect(data).toEqual({ pending: false });
      expect(seen).toEqual(['http://latchkey.test/api/v1/setup']);
    } finally {
      globalThis.fetch = original;
    }
  });
});
