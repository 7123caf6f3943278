import Type from 'typebox';
import { requireScope } from '../auth.js';
import { DomainList, Name, OrgParams, SafeString, TokenType, orgErrors } from '../schemas.js';
import type { RouteModule } from '../route-context.js';

const Row = Type.Object(
  {
    ownerEmail: SafeString({ minLength: 1, maxLength: 254 }),
    name: Name,
    type: TokenType,
    domains: Type.Optional(DomainList),
    value: Type.Optional(SafeString({ minLength: 1, maxLength: 512 })),
    sha256: Type.Optional(SafeString({ minLength: 1, maxLength: 64 })),
  },
  { additionalProperties: false },
);

const RowResult = Type.Object({
  index: Type.Integer(),
  ok: Type.Boolean(),
  code: Type.Optional(Type.String()),
  message: Type.Optional(Type.String()),
  tokenId: Type.Optional(Type.String()),
});

export const tokensImportRoute: RouteModule = (app, ctx) => {
  app.post(
    '/api/v1/orgs/:org/tokens/import',
    {
      config: { auth: 'any', permission: 'tokens:edit' },
      bodyLimit: 16 * 1024 * 1024,
      schema: {
        tags: ['tokens'],
        summary: 'Import legacy user-owned tokens by value or SHA-256; all rows or none; dryRun reports without writing',
        params: OrgParams,
        body: Type.Object({ dryRun: Type.Optional(Type.Boolean({ default: false })), tokens: Type.Array(Row, { minItems: 1, maxItems: 50_000 }) }, { additionalProperties: false }),
        response: {
          200: Type.Object({ dryRun: Type.Boolean(), valid: Type.Boolean(), imported: Type.Integer(), rows: Type.Array(RowResult) }),
          201: Type.Object({ dryRun: Type.Boolean(), valid: Type.Boolean(), imported: Type.Integer(), rows: Type.Array(RowResult) }),
          ...orgErrors,
        },
      },
    },
    async (request, reply) => {
      const dryRun = request.body.dryRun ?? false;
      const result = await ctx.services.tokenImport.run(requireScope(request), request.body.tokens, dryRun);
      return reply.status(dryRun ? 200 : 201).send(result);
    },
  );
};
