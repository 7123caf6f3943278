import Type from 'typebox';
import { requireScope } from '../auth.js';
import { ErrorBody, orgErrors } from '../schemas.js';
import type { RouteModule } from '../route-context.js';
import { MemberParams } from './members-update.js';

export const membersRemoveRoute: RouteModule = (app, ctx) => {
  app.delete(
    '/api/v1/orgs/:org/members/:userId',
    {
      config: { auth: 'any', permission: 'members:edit', allowSelf: true },
      schema: {
        tags: ['members'],
        summary: 'Remove a member (refused with member_owns_tokens while they own active tokens)',
        params: MemberParams,
        response: { 204: Type.Null(), ...orgErrors, 409: ErrorBody },
      },
    },
    async (request, reply) => {
      await ctx.services.members.remove(requireScope(request), request.params.userId);
      return reply.status(204).send(null);
    },
  );
};
