import Type from 'typebox';
import { Email, ErrorBody, Name, Org, OrgName, Password, SafeString, User } from '../schemas.js';
import { loginRateLimit, type RouteModule } from '../route-context.js';
import { orgView } from '../../services/views.js';
import { issueCsrfToken, setSessionCookie } from '../session-cookie.js';
import { limitedCredentialCheck } from '../credential-check.js';

/** Not an e-mail address, so it can never be an account's key. */
const SETUP_ACCOUNT = '(first-run setup)';

export const setupStatusRoute: RouteModule = (app, ctx) => {
  app.get(
    '/api/v1/setup',
    {
      config: { auth: 'none' },
      schema: {
        tags: ['setup'],
        summary: 'Whether first-run setup is still pending',
        response: { 200: Type.Object({ pending: Type.Boolean() }) },
      },
    },
    async () => ({ pending: await ctx.services.setup.setupPending() }),
  );
};

export const setupCompleteRoute: RouteModule = (app, ctx) => {
  app.post(
    '/api/v1/setup',
    {
      config: { auth: 'none', rateLimit: loginRateLimit(ctx.config) },
      schema: {
        tags: ['setup'],
        summary: 'First run: create the first owner and org with the one-time setup token',
        body: Type.Object(
          {
            token: SafeString({ minLength: 1, maxLength: 200 }),
            orgName: OrgName,
            orgSlug: SafeString({ minLength: 1, maxLength: 40 }),
            name: Name,
            email: Email,
            password: Password,
          },
          { additionalProperties: false },
        ),
        response: {
          201: Type.Object({ user: User, org: Org, csrfToken: Type.String() }),
          400: ErrorBody,
          409: ErrorBody,
          429: ErrorBody,
        },
      },
    },
    async (request, reply) => {
      // The setup token is a credential too: the same limits, counted against one pseudo-account.
      const { user, org } = await limitedCredentialCheck(
        ctx,
        { account: SETUP_ACCOUNT, address: request.ip },
        () => ctx.services.setup.complete({ ...request.body, ip: request.ip }),
      );
      const session = await ctx.services.sessions.create(user.id);
      setSessionCookie(reply, ctx, session);
      const body = {
        user: { id: user.id, email: user.email, name: user.name },
        org: orgView(org),
        csrfToken: issueCsrfToken(reply, session),
      };
      return reply.status(201).send(body);
    },
  );
};
