import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyBaseLogger } from 'fastify';
import proxyAddr from '@fastify/proxy-addr';
import { parse as parseQuery } from 'fast-querystring';
import secureJsonParse from 'secure-json-parse';
import {
  extractToken,
  headerFromRaw,
  originFromHeaders,
  parseRequestOrigin,
  queryTokens,
  VERIFY_CODES,
  type VerifyCode,
} from '@latchkey/protocol';
import type { Config } from '../config/config.js';
import { PERMISSION_PATTERN } from '../domain/permissions.js';
import { fromProxy, IDENTITY_HEADERS, VERIFY_SECRET_HEADER } from '../verify/proxy-headers.js';
import {
  verifyFromAddressNow,
  type AddressVerifyDeps,
  type AddressVerifyResult,
} from '../verify/verify-from-address.js';
import { identityOf, type VerifyIdentity, type VerifyResult } from '../verify/verifier.js';
import {
  answerBody,
  limitHeaders,
  rateLimitedMessage,
  verifyAnswer,
  verifyBodyCheck,
} from './verify-answer.js';
import { verifySecretMatches } from './verify-secret.js';
import { ERROR_STATUS } from '../domain/errors.js';

/**
 * The verification hot path in front of Fastify (SPEC §4, issue #12). `POST /api/v1/verify` and
 * `GET /api/v1/forward-auth` are most of a deployment's traffic and the check itself is a hash and a map
 * lookup: Fastify's per-request objects, child logger, hooks and reply pipeline cost more than the
 * check. This handler answers those two requests on the raw `node:http` objects — same port, same codes,
 * same headers and bytes (test/http/hot-path-parity.test.ts compares them) — and hands everything else
 * to Fastify untouched: other routes, other methods, an unexpected content type, a body it would refuse
 * (Fastify then reads it again, see REPLAYED_BODY, and answers with its validation error), a CORS
 * preflight, a wrong shared secret, and any request while the server is closing. A database error is
 * answered here as the routes answer it, so the value is not looked up twice.
 *
 * Off when the verify routes log per request (LATCHKEY_VERIFY_LOG_LEVEL info or more verbose): those
 * access-log lines are Fastify's.
 */

export type HttpHandler = (req: IncomingMessage, res: ServerResponse) => void;

/** Set on a request whose body the hot path read and handed back to Fastify (see routes/verify.ts). */
export const REPLAYED_BODY = Symbol('latchkey.replayedBody');
export type ReplayableRequest = IncomingMessage & { [REPLAYED_BODY]?: Buffer };

export const VERIFY_PATH = '/api/v1/verify';
export const FORWARD_AUTH_PATH = '/api/v1/forward-auth';
/** Bodies the hot path reads itself; a larger (legal) one goes to Fastify, whose limit is 1 MiB. */
const MAX_HOT_BODY = 72 * 1024;
const QUIET_LEVELS = new Set(['fatal', 'error', 'warn', 'silent']);

export interface HotHandlerDeps extends AddressVerifyDeps {
  config: Pick<Config, 'verifySecret' | 'verifyLogLevel'>;
  /** Fastify's trustProxy value (fastifyTrustProxy): the client address is computed exactly as Fastify does. */
  trustProxy: false | string[] | ((address: string, hop: number) => boolean);
  /** Fastify's request-id generator, so an error answered here carries an id from the same sequence. */
  nextRequestId: () => string;
  /** Where a failed lookup is logged, as Fastify's route would log it. */
  logger: Pick<FastifyBaseLogger, 'error'>;
}

export function hotPathEnabled(config: Pick<Config, 'verifyLogLevel'>): boolean {
  return QUIET_LEVELS.has(config.verifyLogLevel);
}

/** `(req, res, next)`: answers the hot requests, calls `next` (Fastify) for the rest. */
export function createHotHandler(deps: HotHandlerDeps) {
  const trust =
    deps.trustProxy === false
      ? null
      : typeof deps.trustProxy === 'function'
        ? deps.trustProxy
        : proxyAddr.compile(deps.trustProxy);
  const clientAddress = (req: IncomingMessage): string => {
    if (trust === null) return req.socket.remoteAddress ?? '';
    const all = proxyAddr.all(req, trust);
    return all[all.length - 1] ?? '';
  };
  let closing = false;

  function handle(req: IncomingMessage, res: ServerResponse, next: HttpHandler): void {
    const url = req.url ?? '';
    if (!closing) {
      if (url === VERIFY_PATH) {
        if (req.method === 'POST') return verifyEntry(req, res, next);
      } else if (
        url.startsWith(FORWARD_AUTH_PATH) &&
        (url.length === FORWARD_AUTH_PATH.length || url.charCodeAt(FORWARD_AUTH_PATH.length) === 63) /* ? */
      ) {
        if (req.method === 'GET') return forwardAuthEntry(req, res, next, url);
      }
    }
    next(req, res);
  }

  // ---- POST /api/v1/verify ----

  function verifyEntry(req: IncomingMessage, res: ServerResponse, next: HttpHandler): void {
    const h = req.headers;
    const type = h['content-type'];
    const length = Number(h['content-length']);
    if (
      (type !== 'application/json' && type !== 'application/json; charset=utf-8') ||
      h['transfer-encoding'] !== undefined ||
      !(length > 0 && length <= MAX_HOT_BODY) ||
      !verifySecretMatches(deps.config.verifySecret, h[VERIFY_SECRET_HEADER])
    ) {
      return next(req, res);
    }
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
      let parsed: unknown;
      try {
        parsed = secureJsonParse.parse(body.toString('utf8'), undefined, {
          protoAction: 'error',
          constructorAction: 'error',
        });
      } catch {
        return replay(req, res, next, body);
      }
      if (!verifyBodyCheck.Check(parsed)) return replay(req, res, next, body);
      const { token, origin, permission, ip, cost } = parsed;
      const address = clientAddress(req);
      let decided: AddressVerifyResult | Promise<AddressVerifyResult>;
      try {
        decided = verifyFromAddressNow(deps, address, {
          token,
          origin: parseRequestOrigin(origin),
          permission,
          ip,
          cost,
        });
      } catch (err) {
        return verifyFailed(res, err);
      }
      if (decided instanceof Promise) {
        decided.then(
          (d) => answerVerify(res, d),
          (err: unknown) => verifyFailed(res, err),
        );
      } else {
        answerVerify(res, decided);
      }
    });
  }

  function answerVerify(res: ServerResponse, d: AddressVerifyResult): void {
    if (d.rateLimited) {
      const seconds = d.retryAfterSeconds;
      return writeError(res, 'rate_limited', () => rateLimitedMessage(seconds), [
        'retry-after',
        String(seconds),
      ]);
    }
    const answer = verifyAnswer(d.result);
    res.writeHead(200, ['content-type', 'application/json; charset=utf-8', 'content-length', answer.length]);
    res.end(answerBody(answer));
  }

  /**
   * A failed lookup (the database) is answered here as Fastify's error handler answers it — 500
   * internal_error with a request id, logged — not handed on: the route would look the value up again,
   * and on SQLite a failing lookup blocks the process for the busy timeout each time.
   */
  function verifyFailed(res: ServerResponse, err: unknown): void {
    writeError(res, 'internal_error', (requestId) => {
      deps.logger.error({ err, reqId: requestId }, 'unhandled error');
      return `Internal error; quote request id ${requestId} when reporting it.`;
    });
  }

  /**
   * The error envelope (http/error-handler.ts sendError), with an id from Fastify's request-id sequence;
   * `headers` (name, value, …) go first, as a route's reply.header() calls before its error do.
   */
  function writeError(
    res: ServerResponse,
    code: 'rate_limited' | 'internal_error',
    message: (requestId: string) => string,
    headers: string[] = [],
  ): void {
    const requestId = deps.nextRequestId();
    const body = JSON.stringify({ error: { code, message: message(requestId), requestId } });
    res.writeHead(ERROR_STATUS[code], [
      ...headers,
      'content-type',
      'application/json; charset=utf-8',
      'content-length',
      String(Buffer.byteLength(body)),
    ]);
    res.end(body);
  }

  /** Fastify reads the body again from the bytes already read (the verify route's preParsing hook). */
  function replay(req: IncomingMessage, res: ServerResponse, next: HttpHandler, body: Buffer): void {
    (req as ReplayableRequest)[REPLAYED_BODY] = body;
    next(req, res);
  }

  // ---- GET /api/v1/forward-auth (see routes/forward-auth.ts, which answers the rest) ----

  function forwardAuthEntry(req: IncomingMessage, res: ServerResponse, next: HttpHandler, url: string): void {
    const h = req.headers;
    if (!verifySecretMatches(deps.config.verifySecret, h[VERIFY_SECRET_HEADER])) return next(req, res);
    const method = fromProxy(h, 'method');
    const uri = fromProxy(h, 'uri');
    const original = { method: method === undefined ? 'GET' : method, uri: uri === undefined ? url : uri };
    const origin = originFromHeaders(h.origin, h.referer);
    // A preflight is Fastify's to answer (rare, and its headers are many).
    if (original.method === 'OPTIONS' && h['access-control-request-method'] !== undefined && origin)
      return next(req, res);

    const q = url.indexOf('?');
    const permission: unknown =
      q === -1 || q === url.length - 1 ? undefined : parseQuery(url.slice(q + 1)).permission;
    const source =
      original.uri === null
        ? ({ ok: false } as const)
        : extractToken(headerFromRaw(req.rawHeaders, 'authorization'), queryTokens(original.uri));
    if (!source.ok) return answerForwardAuth(res, 'token_invalid', null, false);
    if (
      permission !== undefined &&
      (typeof permission !== 'string' || !PERMISSION_PATTERN.test(permission))
    ) {
      return answerForwardAuth(res, 'permission_denied', null, false); // a misconfigured requirement never allows
    }
    let decided: AddressVerifyResult | Promise<AddressVerifyResult>;
    try {
      const address = clientAddress(req);
      // The client the proxy vouches for is both the failure limit's key and the address of the token's use.
      decided = verifyFromAddressNow(deps, address, {
        token: source.token,
        origin,
        permission: permission as string | undefined,
        ip: address,
      });
    } catch (err) {
      return forwardAuthFailed(res, err);
    }
    if (decided instanceof Promise) {
      decided.then(
        (d) => answerForwardAuth(res, d.result.code, d.result, d.rateLimited),
        (err: unknown) => forwardAuthFailed(res, err),
      );
    } else {
      answerForwardAuth(res, decided.result.code, decided.result, decided.rateLimited);
    }
  }

  /** A failed lookup fails closed, as the route does (401, X-Latchkey-Error: service_unavailable), logged. */
  function forwardAuthFailed(res: ServerResponse, err: unknown): void {
    deps.logger.error({ err, reqId: deps.nextRequestId() }, 'forward-auth failed closed');
    res.writeHead(401, [
      'x-latchkey-error',
      'service_unavailable',
      'x-latchkey-code',
      'token_invalid',
      'content-length',
      '0',
    ]);
    res.end();
  }

  function answerForwardAuth(
    res: ServerResponse,
    code: VerifyCode,
    r: VerifyResult | null,
    rateLimited: boolean,
  ): void {
    let headers: readonly string[];
    if (r !== null && r.valid) {
      const id = identityOf(r);
      const prepared = id === undefined ? null : allowHeaders(id);
      if (prepared !== null && !(r.type === 'public' && r.origin) && !r.warnings && !hasLimits(r))
        headers = prepared;
      else {
        const built = id === undefined ? [] : identityHeaders(id);
        if (r.type === 'public' && r.origin)
          built.push('access-control-allow-origin', r.origin, 'vary', 'Origin');
        if (r.warnings) built.push('x-latchkey-warnings', r.warnings.join(','));
        if (hasLimits(r)) built.push(...limitHeaders(r, deps.verifier.now()));
        built.push('x-latchkey-code', code, 'content-length', '0');
        headers = built;
      }
    } else if (r !== null && hasLimits(r)) {
      headers = [...limitHeaders(r, deps.verifier.now()), 'x-latchkey-code', code, 'content-length', '0'];
    } else {
      headers = denialHeaders(code, rateLimited);
    }
    res.writeHead(VERIFY_CODES[code], headers as string[]);
    res.end();
  }

  return {
    handle,
    /** From Fastify's preClose: requests that arrive while closing get Fastify's 503. */
    close() {
      closing = true;
    },
  };
}

const hasLimits = (r: VerifyResult) => r.rateLimit !== undefined || r.quota !== undefined;

// Forward-auth's headers, in the order the Fastify route sets them: a denial's depend only on its code (and
// the rate-limit flag), an allow's on the token's identity (plus, for a public token, the origin it came
// from) — built once and written as they are.
const denialHeaderCache = new Map<string, readonly string[]>();
function denialHeaders(code: VerifyCode, rateLimited: boolean): readonly string[] {
  const key = rateLimited ? `${code}!` : code;
  let headers = denialHeaderCache.get(key);
  if (!headers) {
    headers = [
      ...(rateLimited ? ['x-latchkey-error', 'rate_limited'] : []),
      'x-latchkey-code',
      code,
      'content-length',
      '0',
    ];
    denialHeaderCache.set(key, headers);
  }
  return headers;
}

// The whole header list of an allow without CORS headers, built once per cached token (one identity object
// each). Its values are the identity's own strings, shared with the cache (the permission list joined once
// per list, not per token), so a token costs this one array.
const allowHeaderCache = new WeakMap<VerifyIdentity, readonly string[]>();
const ALLOW_TRAILER = ['x-latchkey-code', 'valid', 'content-length', '0'] as const;
function allowHeaders(id: VerifyIdentity): readonly string[] {
  let headers = allowHeaderCache.get(id);
  if (!headers) {
    // Every identity header on every 200, empty where it does not apply (see routes/forward-auth.ts).
    const sa = id.owner.type === 'service_account';
    const values = [
      id.org.id,
      id.org.slug,
      id.tokenId,
      id.type,
      sa ? id.owner.id : '',
      sa ? '' : id.owner.id,
      permissionHeader(id.permissions),
    ];
    headers = [...IDENTITY_HEADERS.flatMap((name, i) => [name, values[i]!]), ...ALLOW_TRAILER];
    allowHeaderCache.set(id, headers);
  }
  return headers;
}

/** The identity headers alone: an allow's list without its trailer. */
const identityHeaders = (id: VerifyIdentity): string[] => allowHeaders(id).slice(0, -ALLOW_TRAILER.length);

const permissionHeaders = new WeakMap<readonly string[], string>();
function permissionHeader(permissions: readonly string[]): string {
  let joined = permissionHeaders.get(permissions);
  if (joined === undefined) permissionHeaders.set(permissions, (joined = permissions.join(',')));
  return joined;
}
