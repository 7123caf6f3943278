import Type from 'typebox';
import { requireScope } from '../auth.js';
import {
  ErrorBody,
  Id,
  Nullable,
  OrgParams,
  ReassignPermissions,
  SafeString,
  StringEnum,
  Timestamp,
  TokenType,
  orgErrors,
} from '../schemas.js';
import type { RouteModule } from '../route-context.js';
import { HYGIENE_ACTIONS, HYGIENE_REASONS } from '../../domain/token-hygiene.js';
import { RotateBody } from './tokens-lifecycle.js';
import { TokenOwnerId } from './tokens-list.js';

const Reason = StringEnum(HYGIENE_REASONS, {
  description: 'Why the token is in the report (docs/lifecycle.md)',
});
const Action = StringEnum(HYGIENE_ACTIONS, {
  description: 'What the report suggests; each is a bulk action (POST /orgs/{org}/tokens/bulk)',
});

const ReportRow = Type.Object({
  id: Type.String(),
  name: Type.String(),
  type: TokenType,
  hint: Type.String(),
  owner: Type.Object({
    type: Type.Union([Type.Literal('service_account'), Type.Literal('user')]),
    id: Type.String(),
    name: Type.String(),
  }),
  suspended: Type.Boolean(),
  domains: Type.Array(Type.String()),
  createdAt: Timestamp,
  lastUsedAt: Nullable(Timestamp),
  rotatedAt: Nullable(Timestamp),
  expiresAt: Nullable(Timestamp),
  findings: Type.Array(Type.Object({ reason: Reason, action: Action }), {
    description: 'Most urgent first',
  }),
  action: Action,
});

/** The hygiene report: live tokens worth attention, each with the action it suggests. */
export const tokensReportRoute: RouteModule = (app, ctx) => {
  app.get(
    '/api/v1/orgs/:org/tokens/report',
    {
      config: { auth: 'any', permission: 'tokens:view' },
      schema: {
        tags: ['tokens'],
        summary:
          'Stale-token hygiene: live tokens never or long unused, owned by people, of disabled service accounts, allowing http:// origins, with old or never-expiring private values — each with a suggested action',
        params: OrgParams,
        querystring: Type.Object(
          {
            unusedDays: Type.Optional(
              Type.Integer({
                minimum: 1,
                maximum: 3650,
                description:
                  'Days without a verification that make a token unused (LATCHKEY_TOKEN_UNUSED_DAYS)',
              }),
            ),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            generatedAt: Timestamp,
            unusedDays: Type.Integer(),
            rotateDays: Type.Integer(),
            counts: Type.Record(Type.String(), Type.Integer(), {
              description: 'Tokens per reason (a token can have several)',
            }),
            items: Type.Array(ReportRow),
          }),
          ...orgErrors,
        },
      },
    },
    async (request) =>
      ctx.services.tokenHygiene.report(requireScope(request), { unusedDays: request.query.unusedDays }),
  );
};

// No `uniqueItems`: its check hashes whatever the array holds, recursively (a deeply nested body blew the
// stack); the service refuses a repeated id with a message that names it.
const Ids = Type.Array(Id('tok'), { minItems: 1, maxItems: 1000 });

/**
 * One flat shape (a union of five would answer a mistake with another action's field): the service
 * says which fields go with which action (services/token-hygiene.ts checkBulk).
 */
/** Every live token the token list's filters match, instead of a list of ids ("select all N matching"). */
const Matching = Type.Object(
  {
    owner: Type.Optional(TokenOwnerId),
    type: Type.Optional(TokenType),
    status: Type.Optional(
      StringEnum(['active', 'expired'] as const, { description: 'active (the default) or expired' }),
    ),
    search: Type.Optional(SafeString({ maxLength: 100, description: 'Part of the name or of the hint' })),
  },
  { additionalProperties: false },
);

const BulkBody = Type.Object(
  {
    action: Action,
    ids: Type.Optional(Ids),
    matching: Type.Optional(Matching),
    expectedCount: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 1000,
        description:
          'With matching: how many tokens the caller saw match. Refused (validation_failed) when the filters match another number now, so a change confirmed for N tokens never applies to more',
      }),
    ),
    expiresAt: Type.Optional(Timestamp),
    serviceAccountId: Type.Optional(SafeString({ maxLength: 64, description: 'reassign: the new owner' })),
    permissions: Type.Optional(ReassignPermissions),
    retire: Type.Optional(RotateBody.properties.retire),
    at: Type.Optional(Timestamp),
    overlapSeconds: RotateBody.properties.overlapSeconds,
  },
  { additionalProperties: false },
);

/** One action on many tokens, all or nothing (the hygiene page's bulk action). */
export const tokensBulkRoute: RouteModule = (app, ctx) => {
  app.post(
    '/api/v1/orgs/:org/tokens/bulk',
    {
      config: { auth: 'any', permission: 'tokens:edit' },
      schema: {
        tags: ['tokens'],
        summary:
          'One action on up to 1,000 tokens in one transaction — listed by id, or every live token the list filters match (`matching`) — revoke, set_expiry, reassign, rotate or use_https; any refusal names its token and changes nothing',
        params: OrgParams,
        body: BulkBody,
        response: {
          200: Type.Object({
            action: Action,
            items: Type.Array(
              Type.Object({
                id: Type.String(),
                token: Nullable(Type.String({ description: 'rotate: the new value, shown this once' })),
              }),
            ),
          }),
          ...orgErrors,
          409: ErrorBody,
        },
      },
    },
    async (request) => ctx.services.tokenHygiene.bulk(requireScope(request), request.body),
  );
};
