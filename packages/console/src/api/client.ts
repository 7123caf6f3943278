import { createLatchkeyClient, errorEnvelope } from '@latchkey/api-client';

/**
 * The console's only way to the server: the generated, typed API client (@latchkey/api-client), sending
 * same-origin requests with the session cookie and the CSRF token on writes; the API's error envelope
 * becomes an ApiError. The CSRF token lives in memory only — never localStorage, never the URL.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

let csrfToken: string | null = null;
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

/**
 * openapi-fetch builds a Request, which needs an absolute URL; what goes out is the same-origin request the
 * console has always sent: path and query only, the cookie, JSON, and the CSRF header on every write. The
 * global fetch is looked up per call (tests stub it).
 */
async function send(request: Request): Promise<Response> {
  const url = new URL(request.url);
  const headers: Record<string, string> = {};
  const contentType = request.headers.get('content-type');
  const body = request.method === 'GET' || request.method === 'HEAD' ? '' : await request.text();
  if (body !== '' && contentType) headers['content-type'] = contentType;
  if (request.method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  return globalThis.fetch(`${url.pathname}${url.search}`, {
    method: request.method,
    headers,
    credentials: 'same-origin',
    ...(body !== '' ? { body } : {}),
  });
}

/** The typed client: `lk.GET('/api/v1/orgs/{org}', { params: { path: { org } } })`; each path value is one segment. */
export const lk = createLatchkeyClient({
  baseUrl: globalThis.location?.origin ?? 'http://localhost',
  fetch: send,
});

/** An openapi-fetch answer: the success body, or the error body with the response. */
type Answered<T> = { data?: T; error?: unknown; response: Response };

/** The success body of a typed call (undefined for 204), or an ApiError from the error envelope. */
export async function call<T>(pending: Promise<Answered<T>>): Promise<T> {
  const { data, error, response } = await pending;
  if (!response.ok) {
    const err = errorEnvelope(error);
    throw new ApiError(
      response.status,
      err?.code ?? 'internal_error',
      err?.message ?? `Request failed (${response.status})`,
      err?.details,
    );
  }
  return data as T;
}

/** The message to show a person for any failure. */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof Error) return error.message;
  return 'Something went wrong.';
}
