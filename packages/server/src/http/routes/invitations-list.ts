import Type from 'typebox';
import { requireScope } from '../auth.js';
import { Invitation, OrgParams, orgErrors } from '../schemas.js';
import type { RouteModule } from '../route-context.js';

export const invitationsListRoute: RouteModule = (app, ctx) => {
  app.get(
    '/api/v1/orgs/:org/invitations',
    {
      config: { auth: 'any', permission: 'members:view' },
      schema: {
        tags: ['invitations'],
        summary: 'Open invitations (pending or expired, not yet used or revoked)',
        params: OrgParams,
        response: { 200: Type.Object({ items: Type.Array(Invitation) }), ...orgErrors },
      },
    },
    async (request) => ({ items: await ctx.services.invitations.list(requireScope(request)) }),
  );
};
