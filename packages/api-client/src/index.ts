import createClient, { type Client } from 'openapi-fetch';
import type { paths } from './generated/schema.js';
import { segmentPathSerializer } from './path-segment.js';

export type { paths, components, operations } from './generated/schema.js';
export { auditActions, tokenSorts, webhookEventTypes } from './generated/schema.js';
export { pathSegment, segmentPathSerializer } from './path-segment.js';

/** The typed client: `client.GET('/api/v1/orgs/{org}/tokens/{id}', { params: { path: { org, id } } })`. */
export type LatchkeyClient = Client<paths>;

export interface LatchkeyClientOptions {
  /** The server's origin (scheme, host, port), e.g. `https://latchkey.example.com`; paths start with /api/v1. */
  baseUrl: string;
  /** The fetch to send with (default globalThis.fetch at call time). It receives a Request. */
  fetch?: (request: Request) => Promise<Response>;
  /** Headers on every request, e.g. `{ authorization: 'Bearer lk_prv_…' }`. */
  headers?: Record<string, string>;
  /** Cookies: `same-origin` for a browser on the server's own origin. */
  credentials?: RequestCredentials;
  /** `manual` to see redirects instead of following them (the CLI refuses them). */
  redirect?: RequestRedirect;
}

/**
 * A client for the management API, typed by the generated schema: paths, path/query parameters, request
 * bodies and every answer (the error envelope included). Path parameters are encoded as exactly one segment
 * each (see pathSegment). Answers are `{ data, error, response }`, never a throw for an HTTP status.
 */
export function createLatchkeyClient(options: LatchkeyClientOptions): LatchkeyClient {
  const send = options.fetch ?? ((request: Request) => globalThis.fetch(request));
  return createClient<paths>({
    baseUrl: options.baseUrl,
    fetch: send,
    pathSerializer: segmentPathSerializer,
    ...(options.headers ? { headers: options.headers } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
    ...(options.redirect ? { redirect: options.redirect } : {}),
  });
}

type Method = 'get' | 'post' | 'patch' | 'put' | 'delete';
type JsonOf<R> = R extends { content: { 'application/json': infer B } } ? B : never;

/** The JSON body of an endpoint's success answer (200 or 201): `Answer<'/api/v1/me', 'get'>`. */
export type Answer<P extends keyof paths, M extends Method & keyof paths[P]> = paths[P][M] extends {
  responses: infer R;
}
  ? { [S in keyof R]: S extends 200 | 201 ? JsonOf<R[S]> : never }[keyof R]
  : never;

/** The JSON request body an endpoint takes: `RequestBody<'/api/v1/orgs/{org}/tokens', 'post'>`. */
export type RequestBody<P extends keyof paths, M extends Method & keyof paths[P]> = paths[P][M] extends {
  requestBody?: infer B;
}
  ? JsonOf<NonNullable<B>>
  : never;

/** The error envelope every endpoint answers with: `{ error: { code, message, details?, requestId } }`. */
export type ErrorBody = JsonOf<paths['/api/v1/me']['get']['responses'][401]>;

/** The envelope's `error` member, when `body` (an openapi-fetch `error`) is one; else undefined. */
export function errorEnvelope(body: unknown): Partial<ErrorBody['error']> | undefined {
  if (typeof body !== 'object' || body === null || !('error' in body)) return undefined;
  const error = (body as { error: unknown }).error;
  return typeof error === 'object' && error !== null ? (error as Partial<ErrorBody['error']>) : undefined;
}
