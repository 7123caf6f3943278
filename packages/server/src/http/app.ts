import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import fastifyCookie from '@fastify/cookie';
import fastifyCsrf from '@fastify/csrf-protection';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import {
  registerAjvFormats,
  TypeBoxValidatorCompiler,
  type TypeBoxTypeProvider,
} from '@fastify/type-provider-typebox';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyReply,
  type FastifyRequest,
  type RouteOptions,
} from 'fastify';
import type { Config, TrustProxy } from '../config/config.js';
import { addressKey } from '../domain/address-key.js';
import { randomBase62 } from '../domain/base62.js';
import type { Services } from '../services/index.js';
import type { Verifier } from '../verify/verifier.js';
import type { Metrics } from '../verify/metrics.js';
import type { FailureLimiter } from '../verify/failure-limiter.js';
import type { CredentialLimits } from '../services/credential-limits.js';
import type { TokenPresence } from '../verify/token-presence.js';
import type { Redis } from 'ioredis';
import { createAuthenticator } from './auth.js';
import { createHotHandler, hotPathEnabled, type HttpHandler } from './hot-handler.js';
import { registerConsole, securityHeaderMap } from './console.js';
import { frameworkErrors, installErrorHandler } from './error-handler.js';
import { redactUrl } from './redact.js';
import { csrfBinding } from './session-cookie.js';
import { registerStrictFormats } from './schemas.js';
import { openApiWebhooks } from './webhook-docs.js';
import type { App, RouteContext } from './route-context.js';
import { HOT_ROUTES, MANAGEMENT_ROUTES, SIGNED_ROUTES } from './routes/index.js';

export interface AppDeps {
  config: Config;
  services: Services;
  verifier: Verifier;
  metrics: Metrics;
  feedStatus?: () => { listening: boolean } | null;
  failureLimiter: FailureLimiter;
  credentialLimits: CredentialLimits;
  tokenPresence?: TokenPresence;
  redis?: Redis;
  logger: FastifyBaseLogger;
  /** Secret for signing the CSRF cookie; persisted per deployment (see server.ts). */
  cookieSecret: string;
}

declare module 'fastify' {
  interface FastifyInstance {
    routeTable: readonly RouteOptions[];
    /** What the HTTP server calls per request: the hot path, then Fastify (see hot-handler.ts). */
    httpHandler: HttpHandler;
  }
}

registerAjvFormats();
registerStrictFormats();

/**
 * Fastify's `trustProxy` for our setting. proxy-addr walks X-Forwarded-For from the right and stops at
 * the first address not trusted: that is the client. A hop count is a function (Fastify itself now treats
 * a bare number as "trust nobody"); `private` is proxy-addr's `uniquelocal`.
 */
export function fastifyTrustProxy(
  t: TrustProxy,
): false | string[] | ((address: string, hop: number) => boolean) {
  if (t === false) return false;
  if ('hops' in t) {
    const hops = t.hops;
    return (_address, hop) => hop < hops;
  }
  return t.addresses.map((a) => (a === 'private' ? 'uniquelocal' : a));
}

/** Builds the HTTP application from its dependencies; tests build it with theirs. */
export async function buildApp(deps: AppDeps): Promise<App> {
  // Request ids: a random per-process prefix and a counter — unique, and free on the hot path.
  const reqIdPrefix = `req_${randomBase62(8)}`;
  let reqCounter = 0;
  const nextRequestId = () => `${reqIdPrefix}${(++reqCounter).toString(36)}`;
  const trustProxy = fastifyTrustProxy(deps.config.trustProxy);
  // The verify and forward-auth hot path answers in front of Fastify, on the same server (hot-handler.ts).
  const hot = hotPathEnabled(deps.config) ? createHotHandler({ ...deps, trustProxy, nextRequestId }) : null;
  let fastifyHandler: HttpHandler | null = null;
  const httpHandler: HttpHandler = hot
    ? (req, res) => hot.handle(req, res, fastifyHandler!)
    : (req, res) => fastifyHandler!(req, res);
  const app = Fastify({
    serverFactory: (handler) => {
      fastifyHandler = handler;
      const server = createServer(httpHandler);
      // What Fastify sets on the server it creates itself (its defaults), so nothing changes for clients:
      // proxies keep their upstream connections alive for up to 72 s.
      server.keepAliveTimeout = 72_000;
      server.requestTimeout = 0;
      return server;
    },
    loggerInstance: deps.logger,
    trustProxy,
    bodyLimit: 1024 * 1024,
    routerOptions: { maxParamLength: 200 },
    genReqId: nextRequestId,
    // Stock JSON parsing, but reject prototype-poisoning keys outright.
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    // A URL that does not decode gets the documented envelope, not Fastify's own body.
    frameworkErrors,
  }).withTypeProvider<TypeBoxTypeProvider>();
  app.setValidatorCompiler(TypeBoxValidatorCompiler);
  // The request entry the server uses, hot path included: tests inject through it (test/helpers/harness.ts).
  app.decorate('httpHandler', httpHandler);
  if (hot)
    app.addHook('preClose', (done) => {
      hot.close();
      done();
    });
  // The API speaks JSON only: any other body type is a 415, not a confusing validation error.
  app.removeContentTypeParser('text/plain');
  installErrorHandler(app);

  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Latchkey management API',
        version: '1',
        description: 'Service accounts and API tokens for a SaaS platform organization.',
      },
      components: {
        securitySchemes: {
          bearer: {
            type: 'http',
            scheme: 'bearer',
            description: 'A private token whose effective permissions cover the call',
          },
          session: { type: 'apiKey', in: 'cookie', name: 'latchkey_session' },
        },
      },
      security: [{ bearer: [] }, { session: [] }],
      // What Latchkey sends: every event type's body (issue 16).
      webhooks: openApiWebhooks(),
    },
  });
  // The API docs carry the console's security headers, set by swagger-ui's own route hooks (and its CSP
  // option for its static files). Not in a helmet scope: swagger-ui registered inside an encapsulated
  // scope made every route of the app slower — forward-auth +11 µs CPU per request, measured with
  // bench/ab.mjs — so it stays at the root like before.
  const pageHeaders = securityHeaderMap(deps.config.secureCookies);
  await app.register(fastifySwaggerUi, {
    routePrefix: '/docs',
    uiConfig: { validatorUrl: null },
    staticCSP: pageHeaders['content-security-policy'],
    uiHooks: {
      onRequest: (_request, reply, done) => {
        reply.headers(pageHeaders);
        done();
      },
    },
  });

  // The route table, for tests that must cover every route (response schemas, isolation, roles).
  const routeTable: RouteOptions[] = [];
  app.addHook('onRoute', (route) => {
    routeTable.push(route as RouteOptions);
  });
  app.decorate('routeTable', routeTable);
  app.decorateRequest('auth', null);
  app.decorateRequest('scope', null);

  const auth = createAuthenticator({
    services: deps.services,
    verifier: deps.verifier,
    secureCookies: deps.config.secureCookies,
    failureLimiter: deps.failureLimiter,
    tokenPresence: deps.tokenPresence,
  });
  const ctx: RouteContext = {
    services: deps.services,
    config: deps.config,
    verifier: deps.verifier,
    metrics: deps.metrics,
    feedStatus: deps.feedStatus ?? (() => null),
    failureLimiter: deps.failureLimiter,
    credentialLimits: deps.credentialLimits,
    tokenPresence: deps.tokenPresence,
    auth,
  };

  for (const route of HOT_ROUTES) route(app, ctx);
  for (const route of SIGNED_ROUTES) route(app, ctx);

  // The management API lives in its own encapsulated scope: cookies, CSRF, rate limits and the
  // auth hooks apply there and nowhere else (not on the verify hot path).
  await app.register(async (mgmt) => {
    await mgmt.register(fastifyCookie, { secret: deps.cookieSecret });
    await mgmt.register(fastifyCsrf, {
      sessionPlugin: '@fastify/cookie',
      cookieKey: deps.config.secureCookies ? '__Host-latchkey_csrf' : 'latchkey_csrf',
      cookieOpts: {
        path: '/',
        signed: true,
        httpOnly: true,
        sameSite: 'lax',
        secure: deps.config.secureCookies,
      },
      getToken: (req) => req.headers['x-csrf-token'] as string | undefined,
      // Bound to the session: a token issued to one session is refused with another session's cookie.
      getUserInfo: (req) => csrfBinding(req.cookies[auth.cookieName]),
      csrfOpts: {
        hmacKey: createHmac('sha256', deps.cookieSecret)
          .update('latchkey csrf session binding')
          .digest('base64url'),
      },
    });
    // Sign-in limits are shared by every instance through Redis when it is configured.
    await mgmt.register(fastifyRateLimit, {
      global: false,
      keyGenerator: (request) => addressKey(request.ip), // an IPv6 client's /64 is one client
      ...(deps.redis ? { redis: deps.redis, nameSpace: 'latchkey-rl-', skipOnError: true } : {}),
    });
    const csrf = (req: FastifyRequest, reply: FastifyReply) =>
      new Promise<void>((resolve, reject) =>
        mgmt.csrfProtection(req, reply, (err?: Error) => (err ? reject(err) : resolve())),
      );
    mgmt.addHook('onRequest', async (request, reply) => auth.identify(request, reply, csrf));
    mgmt.addHook('preValidation', async (request) => auth.authorize(request));
    mgmt.addHook('onResponse', async (request, reply) => auth.settled(request, reply));
    for (const route of MANAGEMENT_ROUTES) route(mgmt as App, ctx);
  });

  await registerConsole(app, { secure: deps.config.secureCookies, dir: deps.config.consoleDir });

  app.get('/api/v1/openapi.json', { schema: { hide: true }, config: { auth: 'none' } }, async () =>
    app.swagger(),
  );
  return app;
}

export { redactUrl };
