import Type from 'typebox';
import { requireScope } from '../auth.js';
import { ErrorBody, Name, Token, TokenSettings, orgErrors } from '../schemas.js';
import type { RouteModule } from '../route-context.js';
import { TokenParams } from './tokens-get.js';

export const tokensUpdateRoute: RouteModule = (app, ctx) => {
  app.patch(
    '/api/v1/orgs/:org/tokens/:id',
    {
      config: { auth: 'any', permission: 'tokens:edit' },
      schema: {
        tags: ['tokens'],
        summary:
          "Change a token's name, domains (public only), IP allowlist, enforcement, rate limits, quota, permissions or expiry",
        params: TokenParams,
        body: Type.Object(
          {
            name: Type.Optional(Name),
            ...TokenSettings,
          },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: { 200: Token, ...orgErrors, 409: ErrorBody },
      },
    },
    async (request) => ctx.services.tokens.update(requireScope(request), request.params.id, request.body),
  );
};
