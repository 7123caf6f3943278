import Type from 'typebox';
import { ErrorBody, Name, Password, SafeString, User } from '../schemas.js';
import type { RouteModule } from '../route-context.js';
import { setSessionCookie } from '../session-cookie.js';

export const invitationsAcceptRoute: RouteModule = (app, ctx) => {
  app.post(
    '/api/v1/invitations/accept',
    {
      config: { auth: 'none', rateLimit: { max: ctx.config.loginRateLimit, timeWindow: '1 minute' } },
      schema: {
        tags: ['invitations'],
        summary: 'Accept an invitation: sign up (name + password) or sign in (password), then join',
        body: Type.Object(
          { token: SafeString({ minLength: 1, maxLength: 200 }), name: Type.Optional(Name), password: Password },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({ user: User, orgId: Type.String(), csrfToken: Type.String() }),
          400: ErrorBody,
          401: ErrorBody,
          409: ErrorBody,
          429: ErrorBody,
        },
      },
    },
    async (request, reply) => {
      const { user, orgId } = await ctx.services.invitations.accept({ ...request.body, ip: request.ip });
      setSessionCookie(reply, ctx, await ctx.services.sessions.create(user.id));
      return { user: { id: user.id, email: user.email, name: user.name }, orgId, csrfToken: reply.generateCsrf() };
    },
  );
};
