import Type from 'typebox';
import { changePassword } from '../../services/users.js';
import { ErrorBody, Password } from '../schemas.js';
import type { RouteModule } from '../route-context.js';
import { setSessionCookie } from '../session-cookie.js';

export const mePasswordRoute: RouteModule = (app, ctx) => {
  app.post(
    '/api/v1/me/password',
    {
      config: { auth: 'session', rateLimit: { max: ctx.config.loginRateLimit, timeWindow: '1 minute' } },
      schema: {
        tags: ['auth'],
        summary: 'Change your password; every session you had ends and this one is replaced',
        body: Type.Object({ currentPassword: Password, newPassword: Password }, { additionalProperties: false }),
        response: { 200: Type.Object({ csrfToken: Type.String() }), 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 429: ErrorBody },
      },
    },
    async (request, reply) => {
      const auth = request.auth!;
      const { store, clock } = ctx.services.deps;
      await changePassword(store, clock, auth.actor.userId!, request.body.currentPassword, request.body.newPassword);
      setSessionCookie(reply, ctx, await ctx.services.sessions.create(auth.actor.userId!));
      return { csrfToken: reply.generateCsrf() };
    },
  );
};
