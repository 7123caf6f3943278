import Type from 'typebox';
import { SERVICE_ACCOUNT_NAME_RULE } from '../../domain/service-account-name.js';
import { serviceAccountView } from '../../services/views.js';
import { requireScope } from '../auth.js';
import {
  Description,
  Email,
  ErrorBody,
  Id,
  Nullable,
  OrgParams,
  RateLimitList,
  SafeString,
  ServiceAccount,
  orgErrors,
} from '../schemas.js';
import type { RouteModule } from '../route-context.js';

// The character rule is checked by the service (to answer invalid_service_account_name with a helpful
// message), so the schema only bounds the length.
export const ServiceAccountName = SafeString({ maxLength: 200, description: SERVICE_ACCOUNT_NAME_RULE });

export const serviceAccountsCreateRoute: RouteModule = (app, ctx) => {
  app.post(
    '/api/v1/orgs/:org/service-accounts',
    {
      config: { auth: 'any', permission: 'service_accounts:edit' },
      schema: {
        tags: ['service accounts'],
        summary: 'Create a service account (role defaults to Viewer)',
        params: OrgParams,
        body: Type.Object(
          {
            name: ServiceAccountName,
            roleId: Type.Optional(Id('rol')),
            description: Type.Optional(Description),
            rateLimits: Type.Optional(RateLimitList),
            contactEmail: Type.Optional(Nullable(Email)),
          },
          { additionalProperties: false },
        ),
        response: { 201: ServiceAccount, ...orgErrors, 409: ErrorBody },
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(
          serviceAccountView(await ctx.services.serviceAccounts.create(requireScope(request), request.body)),
        ),
  );
};
