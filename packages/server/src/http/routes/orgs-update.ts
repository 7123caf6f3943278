import Type from 'typebox';
import { orgView } from '../../services/views.js';
import { requireScope } from '../auth.js';
import { Nullable, Org, OrgName, OrgParams, orgErrors } from '../schemas.js';
import type { RouteModule } from '../route-context.js';

export const orgsUpdateRoute: RouteModule = (app, ctx) => {
  app.patch(
    '/api/v1/orgs/:org',
    {
      config: { auth: 'any', permission: 'org_settings:edit' },
      schema: {
        tags: ['orgs'],
        summary: "Change the org's name or settings (maximum token lifetime)",
        params: OrgParams,
        body: Type.Object(
          {
            name: Type.Optional(OrgName),
            maxTokenLifetimeDays: Type.Optional(
              Nullable(Type.Integer({ minimum: 1, maximum: 3650, description: 'null removes the limit' })),
            ),
          },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: { 200: Org, ...orgErrors },
      },
    },
    async (request) => orgView(await ctx.services.orgs.updateSettings(requireScope(request), request.body)),
  );
};
