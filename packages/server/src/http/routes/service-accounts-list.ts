import Type from 'typebox';
import { serviceAccountView } from '../../services/views.js';
import { requireScope } from '../auth.js';
import { OrgParams, ServiceAccount, orgErrors } from '../schemas.js';
import type { RouteModule } from '../route-context.js';

export const serviceAccountsListRoute: RouteModule = (app, ctx) => {
  app.get(
    '/api/v1/orgs/:org/service-accounts',
    {
      config: { auth: 'any', permission: 'service_accounts:view' },
      schema: {
        tags: ['service accounts'],
        summary: "The org's service accounts",
        params: OrgParams,
        response: { 200: Type.Object({ items: Type.Array(ServiceAccount) }), ...orgErrors },
      },
    },
    async (request) => ({
      items: (await ctx.services.serviceAccounts.list(requireScope(request))).map(serviceAccountView),
    }),
  );
};
