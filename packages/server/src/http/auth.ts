import { secondsUntil } from '@latchkey/protocol';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Value } from 'typebox/value';
import { AppError } from '../domain/errors.js';
import { grants, type Permission } from '../domain/permissions.js';
import type { Actor, OrgScope } from '../services/context.js';
import type { Services } from '../services/index.js';
import type { UserRecord } from '../store/queries/users.js';
import type { Verifier } from '../verify/verifier.js';
import type { FailureLimiter } from '../verify/failure-limiter.js';
import type { TokenPresence } from '../verify/token-presence.js';
import { verifyFromAddress } from '../verify/verify-from-address.js';
import { OrgParam } from './schemas.js';

export type AuthMode = 'none' | 'session' | 'any' | 'optional-session';

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * Who may call: nobody needs credentials, a console session only, or a session or private token; or
     * `optional-session`: anyone, but a console session, when the caller has one, is used (CSRF included).
     */
    auth?: AuthMode;
    /** Required in the `{org}` of the path; checked before the body is validated. */
    permission?: Permission;
    /** A member may do this to themselves without the permission (leaving an org). */
    allowSelf?: boolean;
    /** A private token may do this to itself without the permission (rotating itself). */
    allowSelfToken?: boolean;
  }
  interface FastifyRequest {
    auth: Authenticated | null;
    scope: OrgScope | null;
  }
}

export type Authenticated =
  | { kind: 'session'; actor: Actor; user: UserRecord; sessionValue: string }
  | {
      kind: 'token';
      actor: Actor;
      orgId: string;
      permissions: Permission[];
      /** Which of the token's values was sent: the one before a rotation may not rotate it again. */
      secret: 'current' | 'previous';
    };

const BEARER = /^Bearer ([\x21-\x7e]{1,1024})$/;

/**
 * The value each token-authenticated request presented, until its answer is sent: only a request that
 * succeeds counts as the value's use (`settled`). Beside the request, not on it, so nothing logs it.
 */
const presented = new WeakMap<FastifyRequest, string>();

export function sessionCookieName(secure: boolean): string {
  return secure ? '__Host-latchkey_session' : 'latchkey_session';
}

/**
 * Resolves the caller: a session cookie, or `Authorization: Bearer <private token>` whose
 * effective permissions are then the caller's permissions (SPEC §5). Management calls never take
 * a token from the query string: URLs end up in logs and browser history.
 */
export function createAuthenticator(deps: {
  services: Services;
  verifier: Verifier;
  secureCookies: boolean;
  /** The invalid-token limit of /verify and forward-auth: a bearer token here is one more way to guess. */
  failureLimiter: FailureLimiter;
  tokenPresence?: TokenPresence;
}) {
  const cookieName = sessionCookieName(deps.secureCookies);

  async function authenticate(request: FastifyRequest): Promise<Authenticated | null> {
    const header = request.headers.authorization;
    if (header !== undefined) {
      const match = BEARER.exec(header);
      if (!match)
        throw new AppError('unauthenticated', 'Malformed Authorization header; expected "Bearer <token>".');
      // The same limit as every other entry point that checks a token (SPEC §7): an address that keeps
      // presenting invalid tokens is cut off from the database here too.
      const decided = await verifyFromAddress(
        { verifier: deps.verifier, failureLimiter: deps.failureLimiter, tokenPresence: deps.tokenPresence },
        request.ip,
        // A token with an IP allowlist calls the management API only from its addresses too.
        { token: match[1], origin: null, ip: request.ip, deferUse: true },
      );
      if (decided.rateLimited) {
        const retryAfterSeconds = decided.retryAfterSeconds;
        throw new AppError(
          'rate_limited',
          `Too many invalid tokens from this address; retry in ${retryAfterSeconds} s.`,
          { retryAfterSeconds },
        );
      }
      const result = decided.result;
      if (!result.valid) {
        if (result.code === 'origin_required' && result.identity?.type === 'public') {
          throw new AppError(
            'invalid_credentials',
            'Public tokens cannot call the management API; use a private token.',
          );
        }
        // Over its own rate limit or quota: the token is good, the caller must wait (or top it up).
        if (result.code === 'rate_limited' || result.code === 'quota_exhausted') {
          const until =
            result.code === 'rate_limited'
              ? result.rateLimit?.resetAt
              : (result.quota?.refillAt ?? undefined);
          const retryAfterSeconds = until ? Math.max(1, secondsUntil(until, deps.verifier.now())) : undefined;
          throw new AppError(
            'rate_limited',
            result.code === 'rate_limited'
              ? `This token is over its rate limit "${result.rateLimit?.name ?? ''}"; retry in ${retryAfterSeconds ?? 1} s.`
              : `This token's quota is used up${retryAfterSeconds ? `; it refills in ${retryAfterSeconds} s` : ''}.`,
            { reason: result.code, ...(retryAfterSeconds ? { retryAfterSeconds } : {}) },
          );
        }
        throw new AppError('invalid_credentials', `The token was refused (${result.code}).`);
      }
      if (result.type !== 'private')
        throw new AppError(
          'invalid_credentials',
          'Public tokens cannot call the management API; use a private token.',
        );
      presented.set(request, match[1]!);
      return {
        kind: 'token',
        orgId: result.org.id,
        permissions: result.permissions,
        secret: result.secret,
        actor: {
          type: 'token',
          id: result.tokenId,
          label: `token ${result.tokenId} of ${result.owner.name}`,
          userId: result.owner.type === 'user' ? result.owner.id : null,
          ip: request.ip,
          ...(result.secret === 'previous' ? { replacedValue: true } : {}),
        },
      };
    }
    const value = request.cookies[cookieName];
    if (!value) return null;
    const user = await deps.services.sessions.resolve(value);
    if (!user) return null;
    return {
      kind: 'session',
      user,
      sessionValue: value,
      actor: { type: 'user', id: user.id, label: user.email, userId: user.id, ip: request.ip },
    };
  }

  return {
    cookieName,
    authenticate,
    /** onResponse: a token's request that succeeded is its use (a rotation's retire-on-first-use). */
    settled(request: FastifyRequest, reply: FastifyReply): void {
      const value = presented.get(request);
      if (value === undefined) return;
      presented.delete(request);
      if (reply.statusCode < 400) deps.verifier.confirmUse(value);
    },
    /** onRequest: who is calling, and CSRF for cookie-authenticated writes. */
    async identify(
      request: FastifyRequest,
      reply: FastifyReply,
      csrf: (req: FastifyRequest, reply: FastifyReply) => Promise<void>,
    ) {
      request.auth = null;
      request.scope = null;
      const mode = request.routeOptions.config.auth ?? 'none';
      if (mode === 'none') return;
      const auth = await authenticate(request);
      // No session (or a stale cookie): the route runs for an anonymous caller.
      if (!auth && mode === 'optional-session') return;
      if (!auth)
        throw new AppError('unauthenticated', 'Sign in, or send Authorization: Bearer <private token>.');
      if (mode === 'optional-session' && auth.kind !== 'session')
        throw new AppError('forbidden', 'This call takes a console session, not a token.');
      if (mode === 'session' && auth.kind !== 'session')
        throw new AppError('forbidden', 'This call needs a console session, not a token.');
      if (auth.kind === 'session' && !['GET', 'HEAD', 'OPTIONS'].includes(request.method))
        await csrf(request, reply);
      request.auth = auth;
    },

    /** preValidation: resolve `{org}` (404 if not theirs) and the route's permission (403). */
    async authorize(request: FastifyRequest) {
      const auth = request.auth;
      const params = request.params as { org?: string; userId?: string; id?: string } | undefined;
      if (!auth || params?.org === undefined) return;
      // This runs before schema validation, and the org is looked up: hold it to its schema first.
      if (!Value.Check(OrgParam, params.org)) {
        throw new AppError('validation_failed', 'Invalid params: /org is not an org id or slug.');
      }
      const scope = await deps.services.orgs.scopeFor(
        params.org,
        auth.actor,
        auth.kind === 'token' ? { orgId: auth.orgId, permissions: auth.permissions } : undefined,
      );
      if (!scope) throw new AppError('not_found', 'Org not found.');
      request.scope = scope;
      const { permission, allowSelf, allowSelfToken } = request.routeOptions.config;
      if (!permission) return;
      if (allowSelf && auth.actor.userId !== null && params.userId === auth.actor.userId) return;
      if (allowSelfToken && auth.kind === 'token') return;
      if (!grants(scope.permissions, permission)) {
        throw new AppError('forbidden', `Your role does not grant ${permission} in this org.`, {
          required: permission,
        });
      }
    },
  };
}

export function requireScope(request: FastifyRequest): OrgScope {
  if (!request.scope) throw new Error('route declared no {org} scope');
  return request.scope;
}
