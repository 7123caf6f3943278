import type { FastifyReply } from 'fastify';
import type { RouteContext } from './route-context.js';

/** HttpOnly, SameSite=Lax, `__Host-` prefixed and Secure when the public URL is https. */
export function setSessionCookie(reply: FastifyReply, ctx: RouteContext, value: string): void {
  reply.setCookie(ctx.auth.cookieName, value, {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure: ctx.config.secureCookies,
    maxAge: ctx.config.sessionTtlHours * 3600,
  });
}

export function clearSessionCookie(reply: FastifyReply, ctx: RouteContext): void {
  reply.clearCookie(ctx.auth.cookieName, { path: '/', httpOnly: true, sameSite: 'lax', secure: ctx.config.secureCookies });
}
