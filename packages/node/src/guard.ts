import {
  extractToken,
  headerFromRaw,
  originFromHeaders,
  PREFLIGHT_ALLOW_HEADERS,
  rateLimitHeaders,
  preflightAnswer,
  queryTokens,
} from '@latchkey/protocol';
import {
  DENIAL_MESSAGES,
  LatchkeyRefusedError,
  LatchkeyUnavailableError,
  statusFor,
  type Decision,
  type DecisionSource,
  type LatchkeyIdentity,
} from './decision.js';

export interface GuardOptions {
  source: DecisionSource;
  /** The permission a request needs, fixed or chosen per request (undefined = any valid token). */
  permission?: string | ((req: RequestLike) => string | undefined);
  /**
   * When Latchkey cannot be reached (network error, timeout, 5xx): refuse (default, 503) or let the request
   * through without an identity. Never applies when Latchkey answers: a 429 is refused with 429
   * `rate_limited` and Retry-After, any other 4xx (or a redirect) with 503, whatever this says.
   */
  failOpen?: boolean;
  /** Credits a request spends from a token's quota (default: Latchkey's, 1), fixed or per request. */
  cost?: number | ((req: RequestLike) => number | undefined);
  /** Headers a CORS preflight may ask for (default `Authorization, Content-Type`). */
  allowHeaders?: string;
  onError?: (err: unknown) => void;
}

/** What the guard needs of a request, whatever the framework. */
export interface RequestLike {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  /** Node's raw header list: Node keeps only the first of two Authorization headers in `headers`. */
  rawHeaders?: readonly string[];
  /**
   * The client's address as the framework derives it (Express `req.ip` with its `trust proxy` setting,
   * Fastify `request.ip` with `trustProxy`): checked against a token's IP allowlist.
   */
  ip?: string;
}

export type GuardOutcome =
  | { kind: 'allow'; identity: LatchkeyIdentity | null; headers: Record<string, string> }
  | { kind: 'preflight'; status: 204; headers: Record<string, string> }
  | {
      kind: 'deny';
      status: number;
      headers: Record<string, string>;
      body: { error: { code: string; message: string } };
    };

/**
 * The framework-neutral core of the middleware: the same extraction rules as forward-auth, the same
 * decision as the server, CORS for public tokens. Preflights are answered without a token (browsers
 * never send one); the real request is then checked.
 */
export function createGuard(options: GuardOptions) {
  const allowHeaders = options.allowHeaders ?? PREFLIGHT_ALLOW_HEADERS;

  return async function guard(req: RequestLike): Promise<GuardOutcome> {
    const origin = originFromHeaders(req.headers.origin, req.headers.referer);
    // Forward-auth's answer too; an OPTIONS without an origin is no browser preflight: its token is checked.
    const preflight = preflightAnswer(
      req.method,
      req.headers['access-control-request-method'],
      origin,
      allowHeaders,
    );
    if (preflight) return { kind: 'preflight', status: 204, headers: preflight };
    // Two Authorization headers are ambiguous (refused): count them in the raw list when there is one.
    const authorization = req.rawHeaders
      ? headerFromRaw(req.rawHeaders, 'authorization')
      : req.headers.authorization;
    const source = extractToken(authorization, queryTokens(req.url));
    const permission =
      typeof options.permission === 'function' ? options.permission(req) : options.permission;
    const cost = typeof options.cost === 'function' ? options.cost(req) : options.cost;
    let decision: Decision;
    try {
      decision = source.ok
        ? await options.source.decide({
            token: source.token,
            origin,
            permission,
            ip: req.ip ?? null,
            ...(cost !== undefined ? { cost } : {}),
          })
        : { valid: false, code: 'token_invalid' };
    } catch (err) {
      if (!(err instanceof LatchkeyUnavailableError) && !(err instanceof LatchkeyRefusedError)) throw err;
      options.onError?.(err);
      // Only an unreachable Latchkey may fail open; one that answered and refused never does.
      if (options.failOpen && err instanceof LatchkeyUnavailableError) {
        return { kind: 'allow', identity: null, headers: {} };
      }
      return {
        kind: 'deny',
        status: 503,
        headers: {},
        body: {
          error: {
            code: 'service_unavailable',
            message: 'Token verification is unavailable; try again shortly.',
          },
        },
      };
    }
    // The token's rate limit as the IETF draft's RateLimit-* headers, on allows and refusals alike.
    const headers: Record<string, string> = decision.rateLimit
      ? Object.fromEntries(rateLimitHeaders(decision.rateLimit, Date.now()))
      : {};
    if (!decision.valid) {
      headers['x-latchkey-code'] = decision.code;
      if (decision.code === 'rate_limited') headers['retry-after'] = String(decision.retryAfter ?? 60);
      else if (decision.retryAfter !== undefined) headers['retry-after'] = String(decision.retryAfter);
      const body = { error: { code: decision.code, message: DENIAL_MESSAGES[decision.code] } };
      return { kind: 'deny', status: statusFor(decision.code), headers, body };
    }
    if (decision.identity.type === 'public' && decision.identity.origin) {
      headers['access-control-allow-origin'] = decision.identity.origin;
      headers.vary = 'Origin';
    }
    return { kind: 'allow', identity: decision.identity, headers };
  };
}
