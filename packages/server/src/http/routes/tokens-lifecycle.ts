import Type from 'typebox';
import { requireScope } from '../auth.js';
import { noBody } from '../no-body.js';
import {
  Enforcement,
  QuotaRule,
  RateLimitList,
  ErrorBody,
  Nullable,
  SafeString,
  SafeText,
  Timestamp,
  Token,
  TokenType,
  orgErrors,
} from '../schemas.js';
import type { RouteContext, RouteModule } from '../route-context.js';
import type { OrgScope } from '../../services/context.js';
import { tokenRestrictions } from '../../services/token-view.js';
import { MAX_OVERLAP_SECONDS } from '../../domain/token-rotation.js';
import { TokenParams } from './tokens-get.js';

export const RotateBody = Type.Object(
  {
    retire: Type.Union([Type.Literal('now'), Type.Literal('at'), Type.Literal('on_first_use')], {
      description:
        'When the old value stops verifying: now; at `at`; or when the new value first verifies (at the latest after overlapSeconds)',
    }),
    at: Type.Optional(Timestamp),
    overlapSeconds: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_OVERLAP_SECONDS })),
  },
  { additionalProperties: false },
);

const Rotated = Type.Object({
  token: Type.String({ description: 'The new value: shown this once' }),
  item: Token,
});

/** Rotates; the answer is the new value and the token as it is now. */
async function rotate(
  ctx: RouteContext,
  scope: OrgScope,
  id: string,
  body: { retire: 'now' | 'at' | 'on_first_use'; at?: string; overlapSeconds?: number },
) {
  const { value } = await ctx.services.tokenLifecycle.rotate(scope, id, body);
  const { dailyUsage: _daily, ...item } = await ctx.services.tokens.get(scope, id);
  return { token: value, item };
}

/** Rotation (docs/lifecycle.md): a new secret for the same token, the old one retiring as asked. */
export const tokensRotateRoute: RouteModule = (app, ctx) => {
  app.post(
    '/api/v1/orgs/:org/tokens/:id/rotate',
    {
      config: { auth: 'any', permission: 'tokens:edit' },
      schema: {
        tags: ['tokens'],
        summary:
          'Rotate a token: a new value, same id and settings; the old value retires now, at a time, or on first use of the new one',
        params: TokenParams,
        body: RotateBody,
        response: { 201: Rotated, ...orgErrors, 409: ErrorBody },
      },
    },
    async (request, reply) => {
      const answer = await rotate(ctx, requireScope(request), request.params.id, request.body);
      return reply.status(201).send(answer);
    },
  );
  app.post(
    '/api/v1/orgs/:org/tokens/self/rotate',
    {
      config: { auth: 'any', permission: 'tokens:edit', allowSelfToken: true },
      schema: {
        tags: ['tokens'],
        summary:
          'A private token rotates itself, sent as the Bearer token with its current value (no tokens:edit needed)',
        params: Type.Object({ org: TokenParams.properties.org }, { additionalProperties: false }),
        body: RotateBody,
        response: { 201: Rotated, ...orgErrors, 409: ErrorBody },
      },
    },
    async (request, reply) => {
      const scope = requireScope(request);
      const id = ctx.services.tokenLifecycle.selfTokenId(scope);
      return reply.status(201).send(await rotate(ctx, scope, id, request.body));
    },
  );
};

/** Suspend and resume: refused with token_suspended meanwhile; nothing else is lost. */
export const tokensSuspendRoutes: RouteModule = (app, ctx) => {
  for (const action of ['suspend', 'resume'] as const) {
    app.post(
      `/api/v1/orgs/:org/tokens/:id/${action}`,
      {
        config: { auth: 'any', permission: 'tokens:edit' },
        preValidation: noBody.preValidation,
        schema: {
          tags: ['tokens'],
          summary:
            action === 'suspend'
              ? 'Suspend a token: refused with token_suspended until resumed (revocation, unlike this, is final)'
              : 'Resume a suspended token',
          params: TokenParams,
          body: noBody.schema,
          response: { 200: Token, ...orgErrors, 409: ErrorBody },
        },
      },
      async (request) => {
        const scope = requireScope(request);
        await ctx.services.tokenLifecycle[action](scope, request.params.id);
        const { dailyUsage: _daily, ...item } = await ctx.services.tokens.get(scope, request.params.id);
        return item;
      },
    );
  }
};

/** A leaked value: revoked at once and marked compromised; the answer says how to replace it. */
export const tokensReportLeakRoute: RouteModule = (app, ctx) => {
  app.post(
    '/api/v1/orgs/:org/tokens/:id/report-leak',
    {
      config: { auth: 'any', permission: 'tokens:edit' },
      schema: {
        tags: ['tokens'],
        summary: 'Report a leaked token: revoked at once, marked compromised, with where it was found',
        params: TokenParams,
        body: Type.Object(
          {
            where: Type.Optional(
              SafeString({ maxLength: 2048, description: 'Where it was found, e.g. a URL' }),
            ),
            note: Type.Optional(SafeText({ maxLength: 2000 })),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            item: Token,
            replacement: Type.Object(
              {
                name: Type.String(),
                serviceAccountId: Nullable(Type.String()),
                type: TokenType,
                domains: Type.Array(Type.String()),
                allowedIps: Type.Array(Type.String()),
                enforcement: Enforcement,
                rateLimits: RateLimitList,
                quota: Nullable(QuotaRule),
                permissions: Nullable(Type.Array(Type.String())),
              },
              {
                description:
                  'A POST /orgs/{org}/tokens body that issues a replacement with the same settings (a revoked token cannot be rotated)',
              },
            ),
          }),
          ...orgErrors,
        },
      },
    },
    async (request) => {
      const scope = requireScope(request);
      const t = await ctx.services.tokenLifecycle.reportLeak(scope, request.params.id, request.body);
      const { dailyUsage: _daily, ...item } = await ctx.services.tokens.get(scope, t.id);
      return {
        item,
        replacement: {
          name: t.name,
          serviceAccountId: t.ownerServiceAccountId,
          type: t.type,
          ...tokenRestrictions(t),
        },
      };
    },
  );
};
