import Type from 'typebox';
import { requireScope } from '../auth.js';
import { ErrorBody, ReassignBody, Token, orgErrors } from '../schemas.js';
import type { RouteModule } from '../route-context.js';
import { TokenParams } from './tokens-get.js';

export const tokensReassignRoute: RouteModule = (app, ctx) => {
  app.post(
    '/api/v1/orgs/:org/tokens/:id/reassign',
    {
      config: { auth: 'any', permission: 'tokens:edit' },
      schema: {
        tags: ['tokens'],
        summary:
          'Move a token to a service account of the same org; its value is unchanged and it never silently gains permissions',
        params: TokenParams,
        body: ReassignBody,
        response: {
          200: Type.Intersect([
            Token,
            Type.Object({
              effectivePermissionsBefore: Type.Array(
                Type.String({ description: 'What it could do before the move' }),
              ),
            }),
          ]),
          ...orgErrors,
          409: ErrorBody,
        },
      },
    },
    async (request) =>
      ctx.services.tokens.reassign(
        requireScope(request),
        request.params.id,
        request.body.serviceAccountId,
        request.body.permissions ?? 'keep',
      ),
  );
};
