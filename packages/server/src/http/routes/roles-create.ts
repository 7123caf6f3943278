import Type from 'typebox';
import { roleView } from '../../services/views.js';
import { requireScope } from '../auth.js';
import {
  Description,
  ErrorBody,
  OrgParams,
  PermissionList,
  Role,
  SafeString,
  orgErrors,
} from '../schemas.js';
import type { RouteModule } from '../route-context.js';

export const RoleName = SafeString({ minLength: 1, maxLength: 64 });

export const rolesCreateRoute: RouteModule = (app, ctx) => {
  app.post(
    '/api/v1/orgs/:org/roles',
    {
      config: { auth: 'any', permission: 'roles:edit' },
      schema: {
        tags: ['roles'],
        summary: 'Create a custom role',
        params: OrgParams,
        body: Type.Object(
          { name: RoleName, description: Type.Optional(Description), permissions: PermissionList },
          { additionalProperties: false },
        ),
        response: { 201: Role, ...orgErrors, 409: ErrorBody },
      },
    },
    async (request, reply) =>
      reply.status(201).send(roleView(await ctx.services.roles.create(requireScope(request), request.body))),
  );
};
