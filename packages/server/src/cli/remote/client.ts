/**
 * The CLI's client for a running Latchkey: a private token in Authorization, JSON both ways. Server
 * refusals become RemoteError (exit 1 with the server's code); an unreachable server likewise.
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
  org: string;
  get<T>(path: string): Promise<T>;
  post<T>(path: string, body?: unknown): Promise<T>;
  patch<T>(path: string, body: unknown): Promise<T>;
  delete<T>(path: string): Promise<T>;
}

/**
 * A redirect is refused, never followed: fetch would resend the Authorization header and (307/308) the
 * body — legacy token values on import — to wherever it points. The message names where it pointed
 * (origin and path only: a query could carry anything) so the user can fix --url.
 */
function refuseRedirect(base: string, requested: string, status: number, location: string | null): RemoteError {
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
  async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
    let res: Response;
    try {
      res = await fetch(`${base}/api/v1${path}`, {
        method,
        headers: { authorization: `Bearer ${opts.token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        // Every request carries the token, and an import carries legacy token values: a redirect is
        // never followed, to another host or this one (see refuseRedirect).
        redirect: 'manual',
        signal: AbortSignal.timeout(60_000),
      });
    } catch (e) {
      throw new RemoteError('unreachable', `cannot reach Latchkey at ${base} (${(e as Error).message}); check --url / LATCHKEY_URL`);
    }
    if ((res.status >= 300 && res.status < 400) || res.type === 'opaqueredirect') {
      await res.body?.cancel();
      throw refuseRedirect(base, `${base}/api/v1${path}`, res.status, res.headers.get('location'));
    }
    if (res.status === 204) return undefined as T;
    const text = await res.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      throw new RemoteError('bad_response', `${base} did not answer like a Latchkey server (HTTP ${res.status})`);
    }
    if (!res.ok) {
      const err = (json as { error?: { code?: string; message?: string; details?: unknown } } | undefined)?.error;
      throw new RemoteError(err?.code ?? `http_${res.status}`, err?.message ?? `HTTP ${res.status}`, err?.details);
    }
    return json as T;
  }
  return {
    org: opts.org,
    get: (p) => call('GET', p),
    post: (p, b) => call('POST', p, b ?? {}),
    patch: (p, b) => call('PATCH', p, b),
    delete: (p) => call('DELETE', p),
  };
}
