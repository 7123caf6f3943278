import Type from 'typebox';
import { ErrorBody } from '../schemas.js';
import { loginRateLimit, type RouteModule } from '../route-context.js';
import { InvitationToken } from './invitations-accept.js';

export const invitationsLookupRoute: RouteModule = (app, ctx) => {
  app.post(
    '/api/v1/invitations/lookup',
    {
      config: { auth: 'none', rateLimit: loginRateLimit(ctx.config) },
      schema: {
        tags: ['invitations'],
        summary:
          'What an invitation is for (org, inviter, address, role), for the accept page; changes nothing',
        body: Type.Object({ token: InvitationToken }, { additionalProperties: false }),
        response: {
          200: Type.Object({
            email: Type.String(),
            orgName: Type.String(),
            roleName: Type.String(),
            invitedBy: Type.Union([Type.Object({ name: Type.String(), email: Type.String() }), Type.Null()]),
            expiresAt: Type.String({ format: 'date-time' }),
          }),
          400: ErrorBody,
          429: ErrorBody,
        },
      },
    },
    async (request) => ctx.services.invitations.lookup(request.body.token),
  );
};
