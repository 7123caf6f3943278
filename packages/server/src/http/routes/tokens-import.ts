import Type from 'typebox';
import { IMPORT_ROW_CODES } from '../../domain/errors.js';
import { MAX_IMPORT_BYTES, MAX_IMPORT_ROWS } from '../../services/token-import.js';
import { requireScope } from '../auth.js';
import { chargeProbeBudget } from '../probe-budget.js';
import {
  DomainList,
  Enforcement,
  ErrorBody,
  IpAllowlist,
  Name,
  Nullable,
  OrgParams,
  SafeString,
  StringEnum,
  Timestamp,
  TokenType,
  orgErrors,
} from '../schemas.js';
import type { RouteModule } from '../route-context.js';

const Row = Type.Object(
  {
    ownerEmail: SafeString({ minLength: 1, maxLength: 254 }),
    name: Name,
    type: TokenType,
    domains: Type.Optional(DomainList),
    allowedIps: Type.Optional(IpAllowlist),
    enforcement: Type.Optional(Enforcement),
    value: Type.Optional(SafeString({ minLength: 1, maxLength: 512 })),
    sha256: Type.Optional(SafeString({ minLength: 1, maxLength: 64 })),
    expiresAt: Type.Optional(Nullable(Timestamp)),
  },
  { additionalProperties: false },
);

const RowResult = Type.Object({
  index: Type.Integer(),
  ok: Type.Boolean(),
  code: Type.Optional(
    StringEnum(IMPORT_ROW_CODES, { description: 'Why the row cannot be imported; see docs/api.md' }),
  ),
  message: Type.Optional(Type.String()),
  tokenId: Type.Optional(Type.String()),
  expiresAt: Type.Optional(Nullable(Timestamp)),
});

const ImportResult = Type.Object({
  dryRun: Type.Boolean(),
  valid: Type.Boolean(),
  imported: Type.Integer(),
  rows: Type.Array(RowResult),
});

export const tokensImportRoute: RouteModule = (app, ctx) => {
  app.post(
    '/api/v1/orgs/:org/tokens/import',
    {
      config: { auth: 'any', permission: 'tokens:edit' },
      bodyLimit: MAX_IMPORT_BYTES,
      schema: {
        tags: ['tokens'],
        summary: `Import legacy user-owned tokens by value or SHA-256 (at most ${MAX_IMPORT_ROWS} rows, 1 MiB); all rows or none; dryRun reports without writing`,
        params: OrgParams,
        body: Type.Object(
          {
            dryRun: Type.Optional(Type.Boolean({ default: false })),
            tokens: Type.Array(Row, { minItems: 1, maxItems: MAX_IMPORT_ROWS }),
          },
          { additionalProperties: false },
        ),
        response: {
          200: ImportResult,
          201: ImportResult,
          ...orgErrors,
          409: ErrorBody,
          413: ErrorBody,
          429: ErrorBody,
        },
      },
    },
    async (request, reply) => {
      const dryRun = request.body.dryRun ?? false;
      const scope = requireScope(request);
      // The dry run looks only inside the caller's org, so it reveals nothing and costs nothing.
      if (!dryRun)
        chargeProbeBudget(
          ctx.failureLimiter,
          request.ip,
          request.body.tokens.length,
          { limit: ctx.config.verifyFailureLimit, windowSeconds: ctx.config.verifyFailureWindowSeconds },
          (limit, windowSeconds) =>
            `An import counts each row against this address's budget of ${limit} invalid-token checks per ` +
            `${windowSeconds} s: send at most ${limit} rows per ${windowSeconds} s (or raise ` +
            'LATCHKEY_VERIFY_FAILURE_LIMIT for the migration).',
        );
      const result = await ctx.services.tokenImport.run(scope, request.body.tokens, dryRun);
      return reply.status(dryRun ? 200 : 201).send(result);
    },
  );
};
