import Type from 'typebox';
import { AppError } from '../../domain/errors.js';
import { authenticate } from '../../services/users.js';
import { ErrorBody, LoginEmail, Password, User } from '../schemas.js';
import type { RouteModule } from '../route-context.js';
import { setSessionCookie } from '../session-cookie.js';

export const authLoginRoute: RouteModule = (app, ctx) => {
  app.post(
    '/api/v1/auth/login',
    {
      config: { auth: 'none', rateLimit: { max: ctx.config.loginRateLimit, timeWindow: '1 minute' } },
      schema: {
        tags: ['auth'],
        summary: 'Sign in to the console (sets the session cookie)',
        body: Type.Object({ email: LoginEmail, password: Password }, { additionalProperties: false }),
        response: { 200: Type.Object({ user: User, csrfToken: Type.String() }), 400: ErrorBody, 401: ErrorBody, 429: ErrorBody },
      },
    },
    async (request, reply) => {
      // Per account, across addresses (and instances, through Redis): too many failed attempts on one
      // email lock it for the window, right password or not — online guessing stops there.
      const account = request.body.email.toLowerCase();
      if (ctx.accountLimiter.isLimited(account)) {
        reply.header('retry-after', '900');
        throw new AppError('rate_limited', 'Too many failed sign-ins for this account; try again in 15 minutes.');
      }
      const user = await authenticate(ctx.services.deps.store, request.body.email, request.body.password);
      if (!user) {
        ctx.accountLimiter.recordFailure(account);
        throw new AppError('invalid_credentials', 'Wrong email or password.');
      }
      setSessionCookie(reply, ctx, await ctx.services.sessions.create(user.id));
      return { user: { id: user.id, email: user.email, name: user.name }, csrfToken: reply.generateCsrf() };
    },
  );
};
