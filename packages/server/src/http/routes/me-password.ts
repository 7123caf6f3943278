import Type from 'typebox';
import { limitedCredentialCheck } from '../credential-check.js';
import { ErrorBody, Password } from '../schemas.js';
import { loginRateLimit, type RouteModule } from '../route-context.js';
import { issueCsrfToken, setSessionCookie } from '../session-cookie.js';

export const mePasswordRoute: RouteModule = (app, ctx) => {
  app.post(
    '/api/v1/me/password',
    {
      config: { auth: 'session', rateLimit: loginRateLimit(ctx.config) },
      schema: {
        tags: ['auth'],
        summary: 'Change your password; every session you had ends and this one is replaced',
        body: Type.Object(
          { currentPassword: Password, newPassword: Password },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({ csrfToken: Type.String() }),
          400: ErrorBody,
          401: ErrorBody,
          403: ErrorBody,
          429: ErrorBody,
        },
      },
    },
    async (request, reply) => {
      const auth = request.auth!;
      if (auth.kind !== 'session') throw new Error('session route without a session');
      // Checking the current password is a credential check like sign-in: same limits, same counters.
      await limitedCredentialCheck(ctx, { account: auth.user.email, address: request.ip }, () =>
        ctx.services.users.changePassword(
          auth.user.id,
          request.body.currentPassword,
          request.body.newPassword,
        ),
      );
      const session = await ctx.services.sessions.create(auth.user.id);
      setSessionCookie(reply, ctx, session);
      return { csrfToken: issueCsrfToken(reply, session) };
    },
  );
};
