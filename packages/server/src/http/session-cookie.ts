import type { FastifyReply } from 'fastify';
import { hashToken } from '../domain/token-format.js';
import type { RouteContext } from './route-context.js';

/** HttpOnly, SameSite=Lax, `__Host-` prefixed and Secure when the public URL is https. */
export function setSessionCookie(reply: FastifyReply, ctx: RouteContext, value: string): void {
  reply.setCookie(ctx.auth.cookieName, value, {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure: ctx.config.secureCookies,
    // The session itself ends at the sliding TTL or the absolute maximum, whichever is first.
    maxAge: Math.min(ctx.config.sessionTtlHours, ctx.config.sessionMaxHours) * 3600,
  });
}

export function clearSessionCookie(reply: FastifyReply, ctx: RouteContext): void {
  reply.clearCookie(ctx.auth.cookieName, {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure: ctx.config.secureCookies,
  });
}

/**
 * What a CSRF token is bound to besides the CSRF secret cookie: the session it was issued for (the hash of
 * its cookie value). A token issued to one session does not work with another session's cookie.
 */
export function csrfBinding(sessionValue: string | undefined): string {
  return sessionValue ? hashToken(sessionValue) : '';
}

/** A CSRF token for the session whose cookie value is given (a new one, or the caller's own). */
export function issueCsrfToken(reply: FastifyReply, sessionValue: string): string {
  return reply.generateCsrf({ userInfo: csrfBinding(sessionValue) });
}
