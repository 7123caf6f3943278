import Type from 'typebox';
import { Email, ErrorBody, Name, Org, OrgName, Password, SafeString, User } from '../schemas.js';
import type { RouteModule } from '../route-context.js';
import { orgView } from '../../services/views.js';
import { setSessionCookie } from '../session-cookie.js';

export const setupStatusRoute: RouteModule = (app, ctx) => {
  app.get(
    '/api/v1/setup',
    {
      config: { auth: 'none' },
      schema: { tags: ['setup'], summary: 'Whether first-run setup is still pending', response: { 200: Type.Object({ pending: Type.Boolean() }) } },
    },
    async () => ({ pending: await ctx.services.setup.setupPending() }),
  );
};

export const setupCompleteRoute: RouteModule = (app, ctx) => {
  app.post(
    '/api/v1/setup',
    {
      config: { auth: 'none', rateLimit: { max: ctx.config.loginRateLimit, timeWindow: '1 minute' } },
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
        response: { 201: Type.Object({ user: User, org: Org, csrfToken: Type.String() }), 400: ErrorBody, 409: ErrorBody, 429: ErrorBody },
      },
    },
    async (request, reply) => {
      const { user, org } = await ctx.services.setup.complete({ ...request.body, ip: request.ip });
      setSessionCookie(reply, ctx, await ctx.services.sessions.create(user.id));
      return reply.status(201).send({ user: { id: user.id, email: user.email, name: user.name }, org: orgView(org), csrfToken: reply.generateCsrf() });
    },
  );
};
