import Type from 'typebox';
import { AppError } from '../../domain/errors.js';
import { ErrorBody, Name, Password, SafeString } from '../schemas.js';
import { loginRateLimit, type RouteModule } from '../route-context.js';

export const InvitationToken = SafeString({ minLength: 1, maxLength: 200 });

export const invitationsAcceptRoute: RouteModule = (app, ctx) => {
  app.post(
    '/api/v1/invitations/accept',
    {
      config: {
        auth: 'optional-session',
        rateLimit: loginRateLimit(ctx.config),
      },
      schema: {
        tags: ['invitations'],
        summary:
          'Accept an invitation: signed in, join as yourself; otherwise create an account (if none), then sign in',
        description:
          "With a console session (and x-csrf-token), send only `token`: the session's user joins, if the invitation " +
          'is addressed to its e-mail (else 403 invitation_wrong_account). Without a session, send `token`, `name` ' +
          'and `password`: when the address has no account one is created and joins; when it has one, nothing ' +
          'happens. Either way the answer is 202 `{next: "sign_in"}`: sign in with /auth/login, then accept again ' +
          'with the session (an invitation you already accepted answers 200 again). The answer never tells ' +
          'whether the address had an account, and no password is ever checked here.',
        body: Type.Object(
          { token: InvitationToken, name: Type.Optional(Name), password: Type.Optional(Password) },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({ orgId: Type.String() }),
          202: Type.Object({
            next: Type.Literal('sign_in'),
            email: Type.String({ description: 'The address invited: sign in with it' }),
          }),
          400: ErrorBody,
          401: ErrorBody,
          403: ErrorBody,
          409: ErrorBody,
          429: ErrorBody,
        },
      },
    },
    async (request, reply) => {
      const { token, name, password } = request.body;
      const auth = request.auth;
      if (auth?.kind === 'session') {
        if (name !== undefined || password !== undefined) {
          throw new AppError(
            'validation_failed',
            'You are signed in: send only the token to join as yourself, or sign out first.',
          );
        }
        return ctx.services.invitations.acceptAsUser({ token, user: auth.user, ip: request.ip });
      }
      if (name === undefined || password === undefined) {
        throw new AppError(
          'validation_failed',
          'Without a session, send a name and a password (or sign in and accept).',
        );
      }
      const { email } = await ctx.services.invitations.acceptAsNewcomer({
        token,
        name,
        password,
        ip: request.ip,
      });
      return reply.status(202).send({ next: 'sign_in' as const, email });
    },
  );
};
