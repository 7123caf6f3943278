import Type from 'typebox';
import { serviceAccountView } from '../../services/views.js';
import { requireScope } from '../auth.js';
import { OrgParam, SafeString, ServiceAccount, orgErrors } from '../schemas.js';
import type { RouteModule } from '../route-context.js';

export const ServiceAccountParams = Type.Object(
  {
    org: OrgParam,
    id: SafeString({ minLength: 1, maxLength: 64, description: 'sa_… id or the account name' }),
  },
  { additionalProperties: false },
);

export const serviceAccountsGetRoute: RouteModule = (app, ctx) => {
  app.get(
    '/api/v1/orgs/:org/service-accounts/:id',
    {
      config: { auth: 'any', permission: 'service_accounts:view' },
      schema: {
        tags: ['service accounts'],
        summary: 'One service account (by id or name)',
        params: ServiceAccountParams,
        response: { 200: ServiceAccount, ...orgErrors },
      },
    },
    async (request) =>
      serviceAccountView(await ctx.services.serviceAccounts.get(requireScope(request), request.params.id)),
  );
};
