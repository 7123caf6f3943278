import Type from 'typebox';
import { roleView } from '../../services/views.js';
import { requireScope } from '../auth.js';
import {
  Description,
  ErrorBody,
  Id,
  Nullable,
  OrgParam,
  PermissionList,
  Role,
  orgErrors,
} from '../schemas.js';
import type { RouteModule } from '../route-context.js';
import { RoleName } from './roles-create.js';

export const RoleParams = Type.Object({ org: OrgParam, id: Id('rol') }, { additionalProperties: false });

export const rolesUpdateRoute: RouteModule = (app, ctx) => {
  app.patch(
    '/api/v1/orgs/:org/roles/:id',
    {
      config: { auth: 'any', permission: 'roles:edit' },
      schema: {
        tags: ['roles'],
        summary: 'Change a custom role; its members and tokens change with it at once',
        params: RoleParams,
        body: Type.Object(
          {
            name: Type.Optional(RoleName),
            description: Type.Optional(Nullable(Description)),
            permissions: Type.Optional(PermissionList),
          },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: { 200: Role, ...orgErrors, 409: ErrorBody },
      },
    },
    async (request) =>
      roleView(await ctx.services.roles.update(requireScope(request), request.params.id, request.body)),
  );
};
