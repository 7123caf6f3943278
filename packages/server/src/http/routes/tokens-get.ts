import Type from 'typebox';
import { requireScope } from '../auth.js';
import { Id, OrgParam, TokenDetail, orgErrors } from '../schemas.js';
import type { RouteModule } from '../route-context.js';

export const TokenParams = Type.Object({ org: OrgParam, id: Id('tok') }, { additionalProperties: false });

export const tokensGetRoute: RouteModule = (app, ctx) => {
  app.get(
    '/api/v1/orgs/:org/tokens/:id',
    {
      config: { auth: 'any', permission: 'tokens:view' },
      schema: {
        tags: ['tokens'],
        summary: 'One token (never a private value)',
        params: TokenParams,
        response: { 200: TokenDetail, ...orgErrors },
      },
    },
    async (request) => ctx.services.tokens.get(requireScope(request), request.params.id),
  );
};
