import Type from 'typebox';
import { requireScope } from '../auth.js';
import { ErrorBody, orgErrors } from '../schemas.js';
import type { RouteModule } from '../route-context.js';
import { RoleParams } from './roles-update.js';

export const rolesDeleteRoute: RouteModule = (app, ctx) => {
  app.delete(
    '/api/v1/orgs/:org/roles/:id',
    {
      config: { auth: 'any', permission: 'roles:edit' },
      schema: {
        tags: ['roles'],
        summary: 'Delete a custom role nobody holds',
        params: RoleParams,
        response: { 204: Type.Null(), ...orgErrors, 409: ErrorBody },
      },
    },
    async (request, reply) => {
      await ctx.services.roles.delete(requireScope(request), request.params.id);
      return reply.status(204).send(null);
    },
  );
};
