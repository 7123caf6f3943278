import Type from 'typebox';
import { memberView } from '../../services/views.js';
import { requireScope } from '../auth.js';
import { Member, OrgParams, orgErrors } from '../schemas.js';
import type { RouteModule } from '../route-context.js';

export const membersListRoute: RouteModule = (app, ctx) => {
  app.get(
    '/api/v1/orgs/:org/members',
    {
      config: { auth: 'any', permission: 'members:view' },
      schema: {
        tags: ['members'],
        summary: 'Human members of the org (service accounts are listed separately)',
        params: OrgParams,
        response: { 200: Type.Object({ items: Type.Array(Member) }), ...orgErrors },
      },
    },
    async (request) => ({ items: (await ctx.services.members.list(requireScope(request))).map(memberView) }),
  );
};
