import {
  extractToken,
  headerFromRaw,
  originFromHeaders,
  preflightAnswer,
  queryTokens,
  VERIFY_CODES,
  type VerifyCode,
} from '@latchkey/protocol';
import type { FastifyReply, FastifyRequest } from 'fastify';
import Type from 'typebox';
import { PERMISSION_PATTERN } from '../../domain/permissions.js';
import {
  fromProxy,
  IDENTITY_HEADERS,
  VERIFY_SECRET_HEADER,
  type ProxyValue,
} from '../../verify/proxy-headers.js';
import { verifyFromAddress } from '../../verify/verify-from-address.js';
import type { RouteContext, RouteModule } from '../route-context.js';
import { verifySecretMatches } from '../verify-secret.js';
import { limitHeaders } from '../verify-answer.js';

// No body: nginx reads auth_request answers header-only and must close an upstream connection whose
// response has a body — an empty body is what keeps the kept-alive connections to Latchkey alive.
const Decision = Type.Null({ description: 'Empty; the decision is in the status and X-Latchkey-Code' });

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];
const ENVOY_PREFIX = '/api/v1/forward-auth/envoy/';

/** What the proxy says about the request it is checking (see verify/proxy-headers.ts). */
interface Original {
  /** `null`: the sources disagree, so it is not known (and certainly not a preflight). */
  method: ProxyValue;
  /** `null`: two different URIs, so any token in them is ambiguous. */
  uri: ProxyValue;
  permission: unknown;
}

async function decide(ctx: RouteContext, request: FastifyRequest, reply: FastifyReply, original: Original) {
  const h = request.headers;
  // The proxy's own credential comes first: without it nothing is decided, not even a preflight.
  if (!verifySecretMatches(ctx.config.verifySecret, h[VERIFY_SECRET_HEADER])) {
    reply.header('x-latchkey-code', 'token_invalid').header('x-latchkey-error', 'unauthenticated');
    return reply.status(401).send();
  }
  const origin = originFromHeaders(h.origin, h.referer);

  // A CORS preflight carries no credentials: allow it, the real request is checked. Only when the proxy
  // vouches for the method (see fromProxy): a client's own X-Forwarded-Method cannot make one; and only
  // with an origin, as every browser preflight has — without one it is an OPTIONS request like any other.
  // The same answer as the middleware's (@latchkey/protocol preflightAnswer).
  const preflight = preflightAnswer(original.method, h['access-control-request-method'], origin);
  if (preflight) {
    reply.headers(preflight);
    // No identity, stated: a proxy that copies the identity headers then sends them empty (Caddy 2.6
    // would otherwise pass its raw `{placeholder}` text on to the upstream).
    for (const name of IDENTITY_HEADERS) reply.header(name, '');
    return reply.header('x-latchkey-code', 'preflight').status(200).send();
  }

  // Node keeps only the first of two Authorization headers: count them in the raw headers.
  const authorization = headerFromRaw(request.raw.rawHeaders, 'authorization');
  const source =
    original.uri === null ? ({ ok: false } as const) : extractToken(authorization, queryTokens(original.uri));
  const permission = original.permission;
  let code: VerifyCode;
  if (!source.ok) {
    code = 'token_invalid';
  } else if (
    permission !== undefined &&
    (typeof permission !== 'string' || !PERMISSION_PATTERN.test(permission))
  ) {
    code = 'permission_denied'; // a misconfigured requirement must never turn into an allow
  } else {
    try {
      const { result: r, rateLimited } = await verifyFromAddress(ctx, request.ip, {
        token: source.token,
        origin,
        permission: permission as string | undefined,
        ip: request.ip,
      });
      code = r.code;
      if (rateLimited) reply.header('x-latchkey-error', 'rate_limited');
      if (r.valid) {
        // Every identity header on every 200, empty where it does not apply: a proxy that copies them
        // to the upstream then never leaves a client's value (or, Caddy 2.6, a raw placeholder) behind.
        const sa = r.owner.type === 'service_account';
        reply
          .header('x-latchkey-org', r.org.id)
          .header('x-latchkey-org-slug', r.org.slug)
          .header('x-latchkey-token-id', r.tokenId)
          .header('x-latchkey-token-type', r.type)
          .header('x-latchkey-service-account', sa ? r.owner.id : '')
          .header('x-latchkey-user', sa ? '' : r.owner.id)
          .header('x-latchkey-permissions', r.permissions.join(','));
        if (r.type === 'public' && r.origin)
          reply.header('access-control-allow-origin', r.origin).header('vary', 'Origin');
        // Report-only allowlists: allowed, and what enforcing them would have refused.
        if (r.warnings) reply.header('x-latchkey-warnings', r.warnings.join(','));
      }
      const limits = limitHeaders(r, ctx.verifier.now());
      for (let i = 0; i < limits.length; i += 2) reply.header(limits[i]!, limits[i + 1]!);
    } catch (err) {
      request.log.error({ err }, 'forward-auth failed closed');
      code = 'token_invalid';
      reply.header('x-latchkey-error', 'service_unavailable');
    }
  }
  reply.header('x-latchkey-code', code);
  return reply.status(VERIFY_CODES[code]).send();
}

/**
 * For reverse proxies (nginx auth_request, Traefik ForwardAuth, Caddy forward_auth, Envoy ext_authz).
 * Answers only 200, 401 or 403 — nginx treats anything else as an error — with identity headers on 200
 * and the decision code in `X-Latchkey-Code` either way. A database failure fails closed (401).
 */
export const forwardAuthRoute: RouteModule = (app, ctx) => {
  const response = { 200: Decision, 401: Decision, 403: Decision };
  app.route({
    method: METHODS,
    url: '/api/v1/forward-auth',
    config: { auth: 'none' },
    logLevel: ctx.config.verifyLogLevel,
    schema: {
      tags: ['verify'],
      summary: 'Forward-auth for reverse proxies: 200 with identity headers, or 401/403',
      response,
    },
    handler: async (request, reply) => {
      // No method or URI header at all (undefined): the check request itself is the original (a bare
      // call). Headers that disagree (null) stay unknown.
      const method = fromProxy(request.headers, 'method');
      const uri = fromProxy(request.headers, 'uri');
      return decide(ctx, request, reply, {
        method: method === undefined ? request.method : method,
        uri: uri === undefined ? request.url : uri,
        permission: (request.query as Record<string, unknown>).permission,
      });
    },
  });

  // Envoy ext_authz (HTTP): Envoy sends the check with the original method and `path_prefix` + the
  // original path and query, so the request line is what the proxy vouches for; no header is read for
  // them here. The required permission is a path segment of the prefix (`any` for none): the query
  // string is the client's.
  app.route({
    method: METHODS,
    url: `${ENVOY_PREFIX}:permission/*`,
    config: { auth: 'none' },
    logLevel: ctx.config.verifyLogLevel,
    schema: {
      tags: ['verify'],
      summary: 'Forward-auth for Envoy ext_authz: path_prefix /api/v1/forward-auth/envoy/<permission|any>',
      params: Type.Object({ permission: Type.String() }), // and `*`, the original path
      response,
    },
    handler: async (request, reply) => {
      const { permission } = request.params as { permission: string };
      return decide(ctx, request, reply, {
        method: request.method,
        uri: request.url.slice(request.url.indexOf('/', ENVOY_PREFIX.length)),
        permission: permission === 'any' ? undefined : permission,
      });
    },
  });
};
