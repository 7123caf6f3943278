import Type from 'typebox';
import { ErrorBody, LoginEmail } from '../schemas.js';
import { loginRateLimit, type RouteModule } from '../route-context.js';

/** Reset e-mails one address may receive per hour, however many addresses ask. */
const RESET_MAILS_PER_HOUR = 3;

export const authPasswordResetRoute: RouteModule = (app, ctx) => {
  app.post(
    '/api/v1/auth/password-reset',
    {
      config: { auth: 'none', rateLimit: loginRateLimit(ctx.config) },
      schema: {
        tags: ['auth'],
        summary:
          'Ask for a password-reset link by e-mail (always 202, whether or not the address has an account)',
        description:
          'When SMTP is configured and the address has an account, a single-use link valid for an hour is ' +
          `e-mailed to it (at most ${RESET_MAILS_PER_HOUR} an hour per address). The answer is the same in every case.`,
        body: Type.Object({ email: LoginEmail }, { additionalProperties: false }),
        response: { 202: Type.Object({ next: Type.Literal('check_email') }), 400: ErrorBody, 429: ErrorBody },
      },
    },
    async (request, reply) => {
      const email = request.body.email.toLowerCase();
      if (
        await ctx.credentialLimits.withinBudget(`password-reset:${email}`, RESET_MAILS_PER_HOUR, 3_600_000)
      ) {
        // Not awaited: the answer must not take longer when there is an account to write to.
        ctx.services.passwordResets
          .request(email)
          .catch((err: unknown) => request.log.warn({ err }, 'password reset e-mail failed'));
      }
      return reply.status(202).send({ next: 'check_email' as const });
    },
  );
};
