import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startInstance, type TestInstance } from '../helpers/harness.js';

/**
 * The HTML pages (console and /docs) carry one security policy, shaped by the public URL's scheme; a URL
 * Fastify cannot decode answers in the API's error envelope.
 */

/** The pages and assets that get the page headers: the console (built or not) and Swagger UI. */
const PAGES = ['/', '/login', '/docs', '/docs/static/swagger-initializer.js'];
/** Swagger UI's own static files (served by its @fastify/static): the same CSP, set through its staticCSP. */
const DOC_ASSETS = ['/docs/static/swagger-ui.css', '/docs/static/swagger-ui-bundle.js'];

const directives = (csp: unknown) =>
  new Map(
    String(csp)
      .split(';')
      .map((d) => d.trim())
      .filter(Boolean)
      .map((d) => [d.split(/\s+/)[0]!, d.split(/\s+/).slice(1).join(' ')] as const),
  );

describe.each([
  ['https', 'https://latchkey.example.com', true],
  ['http on a non-loopback name', 'http://console.test:8080', false],
])('page headers when the public URL is %s', (_label, publicUrl, secure) => {
  let lk: TestInstance;
  beforeAll(async () => {
    lk = await startInstance({ LATCHKEY_PUBLIC_URL: publicUrl });
  });
  afterAll(() => lk.close());

  it(`${secure ? 'sends' : 'does not send'} upgrade-insecure-requests and HSTS, on the console and /docs alike`, async () => {
    for (const url of PAGES) {
      const res = await lk.app.inject({ method: 'GET', url });
      expect(res.statusCode, `${url}: ${res.body.slice(0, 200)}`).toBe(200);
      const csp = directives(res.headers['content-security-policy']);
      expect(
        csp.has('upgrade-insecure-requests'),
        `${url}: ${String(res.headers['content-security-policy'])}`,
      ).toBe(secure);
      expect(res.headers['strict-transport-security'] !== undefined, url).toBe(secure);
      expect(csp.get('default-src'), url).toBe("'self'");
      expect(csp.get('script-src'), url).toBe("'self'");
      expect(csp.get('frame-ancestors'), url).toBe("'none'");
      expect(csp.get('object-src'), url).toBe("'none'");
      expect(res.headers['x-content-type-options'], url).toBe('nosniff');
      expect(res.headers['x-frame-options'], url).toBe('SAMEORIGIN');
    }
  });

  it("gives the docs' static files the console's CSP", async () => {
    const consolePage = await lk.app.inject({ method: 'GET', url: '/login' });
    for (const url of DOC_ASSETS) {
      const res = await lk.app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['content-security-policy'], url).toBe(
        consolePage.headers['content-security-policy'],
      );
    }
  });

  it('gives /docs exactly the console policy', async () => {
    const consolePage = await lk.app.inject({ method: 'GET', url: '/login' });
    const docs = await lk.app.inject({ method: 'GET', url: '/docs' });
    expect(docs.headers['content-security-policy']).toBe(consolePage.headers['content-security-policy']);
    expect(docs.headers['strict-transport-security']).toBe(consolePage.headers['strict-transport-security']);
    expect(docs.headers['cross-origin-opener-policy']).toBe(
      consolePage.headers['cross-origin-opener-policy'],
    );
    // Swagger UI's validator badge would send the document's URL to validator.swagger.io.
    const init = await lk.app.inject({ method: 'GET', url: '/docs/static/swagger-initializer.js' });
    expect(init.body).toMatch(/"validatorUrl":\s*null/);
  });
});

describe('a URL that does not decode', () => {
  let lk: TestInstance;
  beforeAll(async () => {
    lk = await startInstance();
  });
  afterAll(() => lk.close());

  const MALFORMED = [
    '/api/v1/orgs/%E0%A4%A',
    '/api/v1/orgs/%E0%A4%A/members',
    '/api/v1/orgs/%',
    '/api/v1/%ZZ',
    '/%',
    '/orgs/%E0%A4%A/members',
    '/docs/%',
    '/api/v1/orgs/%/tokens?bearer_token=lk_prv_secret',
  ];
  it.each(MALFORMED)(
    '%s answers 400 validation_failed in the error envelope, without echoing the URL',
    async (url) => {
      const res = await lk.app.inject({ method: 'GET', url });
      expect(res.statusCode, res.body).toBe(400);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      const body = res.json() as { error: { code: string; message: string; requestId: string } };
      expect(Object.keys(body)).toEqual(['error']);
      expect(body.error.code).toBe('validation_failed');
      expect(body.error.requestId).toMatch(/^req_/);
      expect(res.body).not.toMatch(/FST_|statusCode|lk_prv_secret/);
    },
  );

  it('a path parameter over the length limit is validation_failed too, not Fastify 414', async () => {
    const res = await lk.app.inject({ method: 'GET', url: `/api/v1/orgs/${'a'.repeat(201)}/members` });
    expect(res.statusCode, res.body).toBe(400);
    expect((res.json() as { error: { code: string } }).error.code).toBe('validation_failed');
  });
});
