import { orgView } from '../../services/views.js';
import { requireScope } from '../auth.js';
import { Org, OrgParams, orgErrors } from '../schemas.js';
import type { RouteModule } from '../route-context.js';

export const orgsGetRoute: RouteModule = (app) => {
  app.get(
    '/api/v1/orgs/:org',
    {
      config: { auth: 'any', permission: 'org_settings:view' },
      schema: {
        tags: ['orgs'],
        summary: 'An org and its settings',
        params: OrgParams,
        response: { 200: Org, ...orgErrors },
      },
    },
    async (request) => orgView(requireScope(request).org),
  );
};
