import type { FastifyReply } from 'fastify';
import Type from 'typebox';
import { PERMISSION_PATTERN } from '../../domain/permissions.js';
import { VERIFY_CODES, type VerifyCode } from '../../verify/codes.js';
import { verifyFromAddress } from '../../verify/verify-from-address.js';
import { extractToken, originFromHeaders, queryTokens } from '../../verify/request-credentials.js';
import type { RouteModule } from '../route-context.js';

// No body: nginx reads auth_request answers header-only and must close an upstream connection whose
// response has a body — an empty body is what keeps the kept-alive connections to Latchkey alive.
const Decision = Type.Null({ description: 'Empty; the decision is in the status and X-Latchkey-Code' });

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? undefined : value;
}

/**
 * For reverse proxies (nginx auth_request, Traefik ForwardAuth, Caddy forward_auth, Envoy ext_authz).
 * Answers only 200, 401 or 403 — nginx treats anything else as an error — with identity headers on 200
 * and the decision code in `X-Latchkey-Code` either way. A database failure fails closed (401).
 */
export const forwardAuthRoute: RouteModule = (app, ctx) => {
  app.route({
    method: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
    url: '/api/v1/forward-auth',
    config: { auth: 'none' },
    logLevel: ctx.config.verifyLogLevel,
    schema: {
      tags: ['verify'],
      summary: 'Forward-auth for reverse proxies: 200 with identity headers, or 401/403',
      response: { 200: Decision, 401: Decision, 403: Decision },
    },
    handler: async (request, reply) => {
      const h = request.headers;
      const origin = originFromHeaders(h.origin, h.referer);
      const method = header(h['x-forwarded-method']) ?? header(h['x-original-method']) ?? request.method;

      // CORS preflight carries no credentials: allow it, the real request is checked.
      if (method.toUpperCase() === 'OPTIONS' && h['access-control-request-method'] !== undefined) {
        if (origin) {
          reply.header('access-control-allow-origin', origin).header('vary', 'Origin');
          reply.header('access-control-allow-headers', 'Authorization, Content-Type').header('access-control-max-age', '600');
          reply.header('access-control-allow-methods', 'GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS');
        }
        return (reply as FastifyReply).header('x-latchkey-code', 'preflight').status(200).send();
      }

      const originalUri = header(h['x-original-uri']) ?? header(h['x-forwarded-uri']) ?? request.url;
      const source = extractToken(h.authorization, queryTokens(originalUri));
      const permission = (request.query as Record<string, unknown>).permission;
      let code: VerifyCode;
      if (!source.ok) {
        code = 'token_invalid';
      } else if (permission !== undefined && (typeof permission !== 'string' || !PERMISSION_PATTERN.test(permission))) {
        code = 'permission_denied'; // a misconfigured requirement must never turn into an allow
      } else {
        try {
          const { result: r, rateLimited } = await verifyFromAddress(ctx, request.ip, { token: source.token, origin, permission: permission as string | undefined });
          code = r.code;
          if (rateLimited) reply.header('x-latchkey-error', 'rate_limited');
          if (r.valid) {
            reply
              .header('x-latchkey-org', r.org.id)
              .header('x-latchkey-org-slug', r.org.slug)
              .header('x-latchkey-token-id', r.tokenId)
              .header('x-latchkey-token-type', r.type)
              .header(r.owner.type === 'service_account' ? 'x-latchkey-service-account' : 'x-latchkey-user', r.owner.id)
              .header('x-latchkey-permissions', r.permissions.join(','));
            if (r.type === 'public' && r.origin) reply.header('access-control-allow-origin', r.origin).header('vary', 'Origin');
          }
        } catch (err) {
          request.log.error({ err }, 'forward-auth failed closed');
          code = 'token_invalid';
          reply.header('x-latchkey-error', 'service_unavailable');
        }
      }
      reply.header('x-latchkey-code', code);
      return (reply as FastifyReply).status(VERIFY_CODES[code]).send();
    },
  });
};
