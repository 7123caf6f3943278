import Type from 'typebox';
import { requireScope } from '../auth.js';
import { orgErrors } from '../schemas.js';
import type { RouteModule } from '../route-context.js';
import { TokenParams } from './tokens-get.js';

export const tokensRevokeRoute: RouteModule = (app, ctx) => {
  app.delete(
    '/api/v1/orgs/:org/tokens/:id',
    {
      config: { auth: 'any', permission: 'tokens:edit' },
      schema: {
        tags: ['tokens'],
        summary: 'Revoke a token: it stops authenticating at once',
        params: TokenParams,
        response: { 204: Type.Null(), ...orgErrors },
      },
    },
    async (request, reply) => {
      await ctx.services.tokens.revoke(requireScope(request), request.params.id);
      return reply.status(204).send(null);
    },
  );
};
