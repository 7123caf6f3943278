import { createLatchkeyClient, errorEnvelope, type LatchkeyClient } from '@latchkey/api-client';

/**
 * The CLI's client for a running Latchkey: the generated, typed API client (@latchkey/api-client) with a
 * private token in Authorization. Server refusals become RemoteError (exit 1 with the server's code); an
 * unreachable server, a redirect or an answer that is not Latchkey's likewise.
 */
export class RemoteError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'RemoteError';
  }
}

export interface Remote {
  /** The org as given (slug or id); the client encodes it as one path segment. */
  org: string;
  api: LatchkeyClient;
  /**
   * The success body of a typed call (undefined for 204): `r.call(r.api.GET('/api/v1/orgs/{org}', …))`. The
   * error envelope becomes a RemoteError with the server's code; an answer that is not JSON, `bad_response`.
   */
  call<T>(pending: Promise<Answered<T>>): Promise<T>;
}

type Answered<T> = { data?: T; error?: unknown; response: Response };

/**
 * A redirect is refused, never followed: fetch would resend the Authorization header and (307/308) the
 * body — legacy token values on import — to wherever it points. The message names where it pointed
 * (origin and path only: a query could carry anything) so the user can fix --url.
 */
function refuseRedirect(
  base: string,
  requested: string,
  status: number,
  location: string | null,
): RemoteError {
  let target = 'an unnamed location';
  try {
    if (location) {
      const u = new URL(location, requested);
      target = `${u.origin}${u.pathname}`;
    }
  } catch {
    target = 'an invalid location';
  }
  return new RemoteError(
    'redirected',
    `${base} answered HTTP ${status} redirecting to ${target}; not followed, so neither your token nor the request ` +
      "body went there. Set --url / LATCHKEY_URL to the server's own address (scheme, host and port).",
  );
}

export function createRemote(opts: { url: string; token: string; org: string }): Remote {
  const base = opts.url.replace(/\/+$/, '');
  async function send(request: Request): Promise<Response> {
    let res: Response;
    try {
      // Every request carries the token, and an import carries legacy token values: a redirect is
      // never followed, to another host or this one (see refuseRedirect).
      res = await fetch(request, { redirect: 'manual', signal: AbortSignal.timeout(60_000) });
    } catch (e) {
      throw new RemoteError(
        'unreachable',
        `cannot reach Latchkey at ${base} (${(e as Error).message}); check --url / LATCHKEY_URL`,
      );
    }
    if ((res.status >= 300 && res.status < 400) || res.type === 'opaqueredirect') {
      await res.body?.cancel();
      throw refuseRedirect(base, request.url, res.status, res.headers.get('location'));
    }
    return res;
  }
  const notLatchkey = (status?: number) =>
    new RemoteError(
      'bad_response',
      `${base} did not answer like a Latchkey server${status ? ` (HTTP ${status})` : ''}`,
    );
  async function call<T>(pending: Promise<Answered<T>>): Promise<T> {
    let result: Answered<T>;
    try {
      result = await pending;
    } catch (e) {
      // A 2xx whose body is not JSON: openapi-fetch's JSON.parse throws.
      if (e instanceof SyntaxError) throw notLatchkey();
      throw e;
    }
    const { data, error, response } = result;
    if (response.ok) return data as T;
    // openapi-fetch hands back an error body that is not JSON as text.
    if (typeof error === 'string' && error !== '') throw notLatchkey(response.status);
    const err = errorEnvelope(error);
    throw new RemoteError(
      err?.code ?? `http_${response.status}`,
      err?.message ?? `HTTP ${response.status}`,
      err?.details,
    );
  }
  return {
    org: opts.org,
    api: createLatchkeyClient({
      baseUrl: base,
      fetch: send,
      redirect: 'manual',
      headers: { authorization: `Bearer ${opts.token}` },
    }),
    call,
  };
}
