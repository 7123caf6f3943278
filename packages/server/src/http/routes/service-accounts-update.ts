import Type from 'typebox';
import { serviceAccountView } from '../../services/views.js';
import { requireScope } from '../auth.js';
import { noBody } from '../no-body.js';
import {
  Description,
  Email,
  ErrorBody,
  Id,
  Nullable,
  RateLimitList,
  ServiceAccount,
  orgErrors,
} from '../schemas.js';
import type { RouteModule } from '../route-context.js';
import { ServiceAccountName } from './service-accounts-create.js';
import { ServiceAccountParams } from './service-accounts-get.js';

export const serviceAccountsUpdateRoute: RouteModule = (app, ctx) => {
  app.patch(
    '/api/v1/orgs/:org/service-accounts/:id',
    {
      config: { auth: 'any', permission: 'service_accounts:edit' },
      schema: {
        tags: ['service accounts'],
        summary:
          "Rename, describe, change role or its tokens' default rate limits, disable or enable a service account",
        params: ServiceAccountParams,
        body: Type.Object(
          {
            name: Type.Optional(ServiceAccountName),
            description: Type.Optional(Nullable(Description)),
            roleId: Type.Optional(Id('rol')),
            rateLimits: Type.Optional(RateLimitList),
            contactEmail: Type.Optional(Nullable(Email)),
            disabled: Type.Optional(
              Type.Boolean({ description: 'While disabled, none of its tokens authenticate' }),
            ),
          },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: { 200: ServiceAccount, ...orgErrors, 409: ErrorBody },
      },
    },
    async (request) =>
      serviceAccountView(
        await ctx.services.serviceAccounts.update(requireScope(request), request.params.id, request.body),
      ),
  );
};

/**
 * Suspend and resume a whole service account, named like a token's (issue 14): the same change as
 * `PATCH {disabled}`; while suspended none of its tokens authenticate (owner_disabled) and nothing is lost.
 */
export const serviceAccountsSuspendRoutes: RouteModule = (app, ctx) => {
  for (const action of ['suspend', 'resume'] as const) {
    app.post(
      `/api/v1/orgs/:org/service-accounts/:id/${action}`,
      {
        config: { auth: 'any', permission: 'service_accounts:edit' },
        preValidation: noBody.preValidation,
        schema: {
          tags: ['service accounts'],
          summary:
            action === 'suspend'
              ? 'Suspend a service account (disable): none of its tokens authenticate until resumed'
              : 'Resume (enable) a suspended service account',
          params: ServiceAccountParams,
          body: noBody.schema,
          response: { 200: ServiceAccount, ...orgErrors, 409: ErrorBody },
        },
      },
      async (request) =>
        serviceAccountView(
          await ctx.services.serviceAccounts.update(requireScope(request), request.params.id, {
            disabled: action === 'suspend',
          }),
        ),
    );
  }
};
