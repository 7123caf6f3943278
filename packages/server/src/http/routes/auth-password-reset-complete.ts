import Type from 'typebox';
import { ErrorBody, Password, SafeString } from '../schemas.js';
import { loginRateLimit, type RouteModule } from '../route-context.js';

export const authPasswordResetCompleteRoute: RouteModule = (app, ctx) => {
  app.post(
    '/api/v1/auth/password-reset/complete',
    {
      config: { auth: 'none', rateLimit: loginRateLimit(ctx.config) },
      schema: {
        tags: ['auth'],
        summary: 'Set a new password with the link from the reset e-mail; every session of the account ends',
        body: Type.Object(
          {
            token: SafeString({ minLength: 1, maxLength: 300 }),
            password: Password,
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({ next: Type.Literal('sign_in'), email: Type.String() }),
          400: ErrorBody,
          429: ErrorBody,
        },
      },
    },
    async (request) => {
      const { email } = await ctx.services.passwordResets.complete(request.body.token, request.body.password);
      return { next: 'sign_in' as const, email };
    },
  );
};
