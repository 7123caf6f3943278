import Type from 'typebox';
import { requireScope } from '../auth.js';
import { orgErrors, Timestamp } from '../schemas.js';
import type { RouteModule } from '../route-context.js';
import { TokenParams } from './tokens-get.js';

const Day = Type.String({
  pattern: '^\\d{4}-\\d{2}-\\d{2}$',
  maxLength: 10,
  description: 'YYYY-MM-DD (UTC)',
});
const Source = Type.Object({
  value: Type.String(),
  firstSeenAt: Timestamp,
  lastSeenAt: Timestamp,
  count: Type.Integer({ description: 'Successful verifications from it while it was kept' }),
});

export const TokenUsage = Type.Object({
  from: Day,
  to: Day,
  retentionDays: Type.Integer({ description: 'LATCHKEY_USAGE_RETENTION_DAYS: older days are gone' }),
  days: Type.Array(
    Type.Object({
      day: Day,
      valid: Type.Integer(),
      refused: Type.Record(Type.String(), Type.Integer(), {
        description:
          'Refusals by code (token_revoked, rate_limited, origin_not_allowed, …); absent codes: none',
      }),
    }),
  ),
  origins: Type.Array(Source, { description: 'The most recent 20 origins of successful uses, latest first' }),
  addresses: Type.Array(Source, { description: 'The most recent 20 client addresses, latest first' }),
});

export const tokensUsageRoute: RouteModule = (app, ctx) => {
  app.get(
    '/api/v1/orgs/:org/tokens/:id/usage',
    {
      config: { auth: 'any', permission: 'tokens:view' },
      schema: {
        tags: ['tokens'],
        summary:
          "A token's usage per UTC day — successes and refusals by code — and the origins and addresses it was used from",
        params: TokenParams,
        querystring: Type.Object(
          {
            from: Type.Optional(Day),
            to: Type.Optional(Day),
          },
          { additionalProperties: false },
        ),
        response: { 200: TokenUsage, ...orgErrors },
      },
    },
    async (request) =>
      ctx.services.tokenUsage.report(requireScope(request), request.params.id, request.query),
  );
};
