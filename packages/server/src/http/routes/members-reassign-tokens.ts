import Type from 'typebox';
import { requireScope } from '../auth.js';
import { ErrorBody, SafeString, orgErrors } from '../schemas.js';
import type { RouteModule } from '../route-context.js';
import { MemberParams } from './members-update.js';

export const membersReassignTokensRoute: RouteModule = (app, ctx) => {
  app.post(
    '/api/v1/orgs/:org/members/:userId/reassign-tokens',
    {
      config: { auth: 'any', permission: 'tokens:edit' },
      schema: {
        tags: ['members'],
        summary: "Move all of a member's active tokens to one service account, in one transaction",
        params: MemberParams,
        body: Type.Object({ serviceAccountId: Type.Optional(SafeString({ maxLength: 64 })) }, { additionalProperties: false }),
        response: { 200: Type.Object({ serviceAccountId: Type.String(), reassigned: Type.Array(Type.String()) }), ...orgErrors, 409: ErrorBody },
      },
    },
    async (request) => ctx.services.tokens.reassignAllFromUser(requireScope(request), request.params.userId, request.body.serviceAccountId),
  );
};
