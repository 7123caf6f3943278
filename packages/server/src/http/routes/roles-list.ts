import Type from 'typebox';
import { roleView } from '../../services/views.js';
import { requireScope } from '../auth.js';
import { OrgParams, Role, orgErrors } from '../schemas.js';
import type { RouteModule } from '../route-context.js';

export const rolesListRoute: RouteModule = (app, ctx) => {
  app.get(
    '/api/v1/orgs/:org/roles',
    {
      config: { auth: 'any', permission: 'roles:view' },
      schema: {
        tags: ['roles'],
        summary: 'Built-in and custom roles, and the permission catalog they draw from',
        params: OrgParams,
        response: {
          200: Type.Object({
            items: Type.Array(Role),
            catalog: Type.Object({
              resources: Type.Array(Type.String()),
              platformResources: Type.Array(Type.String()),
              publicSafe: Type.Array(Type.String()),
            }),
          }),
          ...orgErrors,
        },
      },
    },
    async (request) => {
      const { catalog } = ctx.config;
      return {
        items: (await ctx.services.roles.list(requireScope(request))).map(roleView),
        catalog: {
          resources: [...catalog.resources],
          platformResources: [...catalog.platformResources],
          publicSafe: [...catalog.publicSafe].sort(),
        },
      };
    },
  );
};
