import Type from 'typebox';
import { requireScope } from '../auth.js';
import { Email, ErrorBody, Id, Invitation, OrgParams, orgErrors } from '../schemas.js';
import type { RouteModule } from '../route-context.js';

export const invitationsCreateRoute: RouteModule = (app, ctx) => {
  app.post(
    '/api/v1/orgs/:org/invitations',
    {
      config: { auth: 'any', permission: 'members:edit' },
      schema: {
        tags: ['invitations'],
        summary:
          'Invite someone by email with a role; e-mails the single-use link (with SMTP) or answers it once (without); rate_limited past the invitation limits',
        params: OrgParams,
        body: Type.Object({ email: Email, roleId: Id('rol') }, { additionalProperties: false }),
        response: {
          201: Type.Object({
            invitation: Invitation,
            token: Type.Optional(
              Type.String({ description: 'Only without SMTP: with SMTP the link goes to the address alone' }),
            ),
            link: Type.Optional(
              Type.String({
                description: 'Only without SMTP (the inviter passes it on and vouches for the address)',
              }),
            ),
            emailed: Type.Boolean({
              description: 'Whether the link was e-mailed (SMTP configured and accepted the message)',
            }),
          }),
          ...orgErrors,
          409: ErrorBody,
          429: ErrorBody,
        },
      },
    },
    // Over the inviter's or the org's invitation limit: rate_limited with details.retryAfterSeconds, which
    // the error handler sends as Retry-After.
    async (request, reply) =>
      reply.status(201).send(await ctx.services.invitations.create(requireScope(request), request.body)),
  );
};
