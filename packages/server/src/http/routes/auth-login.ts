import Type from 'typebox';
import { AppError } from '../../domain/errors.js';
import { limitedCredentialCheck } from '../credential-check.js';
import { ErrorBody, LoginEmail, Password, User } from '../schemas.js';
import { loginRateLimit, type RouteModule } from '../route-context.js';
import { issueCsrfToken, setSessionCookie } from '../session-cookie.js';

export const authLoginRoute: RouteModule = (app, ctx) => {
  app.post(
    '/api/v1/auth/login',
    {
      config: { auth: 'none', rateLimit: loginRateLimit(ctx.config) },
      schema: {
        tags: ['auth'],
        summary: 'Sign in to the console (sets the session cookie)',
        body: Type.Object({ email: LoginEmail, password: Password }, { additionalProperties: false }),
        response: {
          200: Type.Object({ user: User, csrfToken: Type.String() }),
          400: ErrorBody,
          401: ErrorBody,
          429: ErrorBody,
        },
      },
    },
    async (request, reply) => {
      // Limited per (account, address) and slowed per account, never locked: see credential-limits.ts.
      const user = await limitedCredentialCheck(
        ctx,
        { account: request.body.email, address: request.ip },
        async () => {
          const found = await ctx.services.users.authenticate(request.body.email, request.body.password);
          if (!found) throw new AppError('invalid_credentials', 'Wrong email or password.');
          return found;
        },
      );
      const session = await ctx.services.sessions.create(user.id);
      setSessionCookie(reply, ctx, session);
      return {
        user: { id: user.id, email: user.email, name: user.name },
        csrfToken: issueCsrfToken(reply, session),
      };
    },
  );
};
