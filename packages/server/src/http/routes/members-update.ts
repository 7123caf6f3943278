import Type from 'typebox';
import { memberView } from '../../services/views.js';
import { requireScope } from '../auth.js';
import { ErrorBody, Id, Member, OrgParam, orgErrors } from '../schemas.js';
import type { RouteModule } from '../route-context.js';

export const MemberParams = Type.Object(
  { org: OrgParam, userId: Id('usr') },
  { additionalProperties: false },
);

export const membersUpdateRoute: RouteModule = (app, ctx) => {
  app.patch(
    '/api/v1/orgs/:org/members/:userId',
    {
      config: { auth: 'any', permission: 'members:edit' },
      schema: {
        tags: ['members'],
        summary: "Change a member's role",
        params: MemberParams,
        body: Type.Object({ roleId: Id('rol') }, { additionalProperties: false }),
        response: { 200: Member, ...orgErrors, 409: ErrorBody },
      },
    },
    async (request) =>
      memberView(
        await ctx.services.members.changeRole(
          requireScope(request),
          request.params.userId,
          request.body.roleId,
        ),
      ),
  );
};
