import Type from 'typebox';
import { requireScope } from '../auth.js';
import { ErrorBody, Nullable, ReassignBody, Timestamp, orgErrors } from '../schemas.js';
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
        body: ReassignBody,
        response: {
          200: Type.Object({
            serviceAccountId: Type.String(),
            reassigned: Type.Array(Type.String()),
            tokens: Type.Array(
              Type.Object({
                id: Type.String(),
                effectivePermissionsBefore: Type.Array(Type.String()),
                effectivePermissionsAfter: Type.Array(Type.String()),
                expiresAt: Nullable(Timestamp),
              }),
            ),
          }),
          ...orgErrors,
          409: ErrorBody,
        },
      },
    },
    async (request) =>
      ctx.services.members.reassignTokens(
        requireScope(request),
        request.params.userId,
        request.body.serviceAccountId,
        request.body.permissions ?? 'keep',
      ),
  );
};
