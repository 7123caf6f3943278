import Type from 'typebox';
import { orgView } from '../../services/views.js';
import { ErrorBody, Org } from '../schemas.js';
import type { RouteModule } from '../route-context.js';

export const orgsListRoute: RouteModule = (app, ctx) => {
  app.get(
    '/api/v1/orgs',
    {
      config: { auth: 'any' },
      schema: {
        tags: ['orgs'],
        summary: "The caller's orgs",
        response: { 200: Type.Object({ items: Type.Array(Org) }), 401: ErrorBody },
      },
    },
    async (request) => {
      const auth = request.auth!;
      const { orgs } = ctx.services;
      if (auth.kind === 'token') return { items: [orgView((await orgs.get(auth.orgId))!)] };
      return { items: (await orgs.listForUser(auth.user.id)).map(orgView) };
    },
  );
};
