import Type from 'typebox';
import { requireScope } from '../auth.js';
import {
  ErrorBody,
  Name,
  OrgParams,
  SafeString,
  Token,
  TokenSettings,
  TokenType,
  orgErrors,
} from '../schemas.js';
import type { RouteModule } from '../route-context.js';

export const tokensCreateRoute: RouteModule = (app, ctx) => {
  app.post(
    '/api/v1/orgs/:org/tokens',
    {
      config: { auth: 'any', permission: 'tokens:edit' },
      schema: {
        tags: ['tokens'],
        summary: 'Create a token for a service account; the full value is in `token`, shown only this once',
        params: OrgParams,
        body: Type.Object(
          {
            name: Name,
            // Optional in the schema so that its absence gets the rule-5 message, not a generic one.
            serviceAccountId: Type.Optional(SafeString({ maxLength: 64 })),
            type: TokenType,
            ...TokenSettings,
          },
          { additionalProperties: false },
        ),
        response: {
          201: Type.Object({
            token: Type.String({ description: 'The full value: store it now' }),
            item: Token,
          }),
          ...orgErrors,
          409: ErrorBody,
        },
      },
    },
    async (request, reply) => {
      const created = await ctx.services.tokens.create(requireScope(request), request.body);
      return reply.status(201).send({ token: created.value, item: created.token });
    },
  );
};
