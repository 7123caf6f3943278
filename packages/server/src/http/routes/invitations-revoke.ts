import Type from 'typebox';
import { requireScope } from '../auth.js';
import { Id, OrgParam, orgErrors } from '../schemas.js';
import type { RouteModule } from '../route-context.js';

export const invitationsRevokeRoute: RouteModule = (app, ctx) => {
  app.delete(
    '/api/v1/orgs/:org/invitations/:id',
    {
      config: { auth: 'any', permission: 'members:edit' },
      schema: {
        tags: ['invitations'],
        summary: 'Revoke an open invitation',
        params: Type.Object({ org: OrgParam, id: Id('inv') }, { additionalProperties: false }),
        response: { 204: Type.Null(), ...orgErrors },
      },
    },
    async (request, reply) => {
      await ctx.services.invitations.revoke(requireScope(request), request.params.id);
      return reply.status(204).send(null);
    },
  );
};
