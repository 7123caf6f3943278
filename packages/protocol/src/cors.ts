/**
 * The CORS preflight answer, one for every entry point that answers one: forward-auth (for the proxy to
 * pass on) and the `@latchkey/node` middleware. A preflight carries no credentials (browsers never send
 * them on one), so it is allowed without a token and the real request that follows is checked.
 */

/** The request headers a preflight may ask for, unless the middleware is told otherwise. */
export const PREFLIGHT_ALLOW_HEADERS = 'Authorization, Content-Type';
const PREFLIGHT_ALLOW_METHODS = 'GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS';
/** Seconds a browser may reuse the preflight's answer. */
const PREFLIGHT_MAX_AGE_S = 600;

/**
 * The headers of the answer to a CORS preflight, in the order they are sent; `null` when the request is
 * no preflight. A preflight is `OPTIONS` with `Access-Control-Request-Method` and an origin, as every
 * browser preflight has: without an origin it is an OPTIONS request like any other, whose token is checked.
 * `method` must be one the caller trusts (forward-auth: the method the proxy vouches for); `origin` is the
 * parsed request origin (`originFromHeaders`).
 */
export function preflightAnswer(
  method: string | null | undefined,
  accessControlRequestMethod: string | string[] | undefined,
  origin: string | null,
  allowHeaders: string = PREFLIGHT_ALLOW_HEADERS,
): Record<string, string> | null {
  if (method !== 'OPTIONS' || accessControlRequestMethod === undefined || !origin) return null;
  return {
    'access-control-allow-origin': origin,
    vary: 'Origin',
    'access-control-allow-headers': allowHeaders,
    'access-control-max-age': String(PREFLIGHT_MAX_AGE_S),
    'access-control-allow-methods': PREFLIGHT_ALLOW_METHODS,
  };
}
