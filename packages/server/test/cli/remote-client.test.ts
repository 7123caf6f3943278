import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRemote, RemoteError } from '../../src/cli/remote/client.js';
import { inOrg } from '../../src/cli/remote/types.js';

/**
 * The CLI's typed client (src/cli/remote/client.ts, on @latchkey/api-client) against a local HTTP server
 * that answers whatever a test asks: how paths are built and how each kind of answer becomes a value or
 * a RemoteError. The real binary's transport rules are in remote-transport.test.ts.
 */

let next: { status: number; body?: string; type?: string } = { status: 200, body: '{}' };
const seen: { method: string; url: string; authorization: string | undefined }[] = [];
let server: Server;
let url: string;
beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push({ method: req.method ?? '', url: req.url ?? '', authorization: req.headers.authorization });
    req.resume();
    req.on('end', () => {
      res.writeHead(
        next.status,
        next.body !== undefined ? { 'content-type': next.type ?? 'application/json' } : {},
      );
      res.end(next.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const failure = async (p: Promise<unknown>) => {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(RemoteError);
  return e as RemoteError;
};

describe('the CLI client', () => {
  it('sends the token; the org and ids are each one path segment; "", "." and ".." are refused unsent', async () => {
    const r = createRemote({ url: `${url}/`, token: 'lk_prv_t', org: 'acme/x' });
    next = { status: 200, body: '{"id":"sa_1"}' };
    await r.call(
      r.api.GET('/api/v1/orgs/{org}/service-accounts/{id}', {
        params: { path: { org: r.org, id: 'bot?x#y' } },
      }),
    );
    expect(seen[seen.length - 1]).toEqual({
      method: 'GET',
      url: '/api/v1/orgs/acme%2Fx/service-accounts/bot%3Fx%23y',
      authorization: 'Bearer lk_prv_t',
    });
    const before = seen.length;
    for (const id of ['', '.', '..']) {
      await expect(
        r.call(r.api.DELETE('/api/v1/orgs/{org}/tokens/{id}', { params: { path: { org: r.org, id } } })),
        JSON.stringify(id),
      ).rejects.toThrow(/path segment/);
    }
    expect(seen.length).toBe(before);
  });

  it('answers: JSON is the value, 204 is undefined, the error envelope is a RemoteError with its code and details', async () => {
    const r = createRemote({ url, token: 'lk_prv_t', org: 'acme' });
    next = { status: 200, body: '{"items":[],"nextCursor":null}' };
    expect(await r.call(r.api.GET('/api/v1/orgs/{org}/tokens', inOrg(r.org)))).toEqual({
      items: [],
      nextCursor: null,
    });
    next = { status: 204 };
    expect(
      await r.call(
        r.api.DELETE('/api/v1/orgs/{org}/invitations/{id}', {
          params: { path: { org: 'acme', id: 'inv_1' } },
        }),
      ),
    ).toBeUndefined();
    next = {
      status: 409,
      body: JSON.stringify({
        error: {
          code: 'member_owns_tokens',
          message: 'owns tokens',
          details: { tokens: [] },
          requestId: 'r',
        },
      }),
    };
    const refused = await failure(
      r.call(
        r.api.DELETE('/api/v1/orgs/{org}/members/{userId}', {
          params: { path: { org: 'acme', userId: 'usr_1' } },
        }),
      ),
    );
    expect([refused.code, refused.message, refused.details]).toEqual([
      'member_owns_tokens',
      'owns tokens',
      { tokens: [] },
    ]);
    next = { status: 502 };
    expect((await failure(r.call(r.api.GET('/api/v1/orgs/{org}/roles', inOrg('acme'))))).code).toBe(
      'http_502',
    );
  });

  it('an answer that is not JSON is bad_response, on success and on failure', async () => {
    const r = createRemote({ url, token: 'lk_prv_t', org: 'acme' });
    for (const status of [200, 500]) {
      next = { status, body: '<html>proxy page</html>', type: 'text/html' };
      const e = await failure(r.call(r.api.GET('/api/v1/orgs/{org}/roles', inOrg('acme'))));
      expect(e.code, `HTTP ${status}`).toBe('bad_response');
      expect(e.message).toContain(url);
    }
  });

  it('an unreachable server is unreachable, naming the URL', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const dead = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const r = createRemote({ url: dead, token: 'lk_prv_t', org: 'acme' });
    const e = await failure(r.call(r.api.GET('/api/v1/orgs/{org}/roles', inOrg('acme'))));
    expect(e.code).toBe('unreachable');
    expect(e.message).toContain(dead);
  });
});
