import Type from 'typebox';
import { requireScope } from '../auth.js';
import { ErrorBody, orgErrors } from '../schemas.js';
import type { RouteModule } from '../route-context.js';
import { ServiceAccountParams } from './service-accounts-get.js';

export const serviceAccountsDeleteRoute: RouteModule = (app, ctx) => {
  app.delete(
    '/api/v1/orgs/:org/service-accounts/:id',
    {
      config: { auth: 'any', permission: 'service_accounts:edit' },
      schema: {
        tags: ['service accounts'],
        summary: 'Delete a service account; refused while it owns active tokens unless revokeTokens=true',
        params: ServiceAccountParams,
        querystring: Type.Object(
          { revokeTokens: Type.Optional(Type.Boolean({ default: false })) },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({ revokedTokens: Type.Array(Type.String()) }),
          ...orgErrors,
          409: ErrorBody,
        },
      },
    },
    async (request) =>
      ctx.services.serviceAccounts.delete(requireScope(request), request.params.id, {
        revokeTokens: request.query.revokeTokens ?? false,
      }),
  );
};
