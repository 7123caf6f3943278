import Type from 'typebox';
import { ErrorBody } from '../schemas.js';
import type { RouteModule } from '../route-context.js';
import { clearSessionCookie } from '../session-cookie.js';

export const authLogoutRoute: RouteModule = (app, ctx) => {
  app.post(
    '/api/v1/auth/logout',
    {
      config: { auth: 'session' },
      schema: {
        tags: ['auth'],
        summary: 'End the console session',
        response: { 204: Type.Null(), 401: ErrorBody, 403: ErrorBody },
      },
    },
    async (request, reply) => {
      if (request.auth?.kind === 'session') await ctx.services.sessions.destroy(request.auth.sessionValue);
      clearSessionCookie(reply, ctx);
      return reply.status(204).send(null);
    },
  );
};
