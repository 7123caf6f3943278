import Type from 'typebox';
import { orgView } from '../../services/views.js';
import { ErrorBody, Org, OrgName, SafeString } from '../schemas.js';
import type { RouteModule } from '../route-context.js';

export const orgsCreateRoute: RouteModule = (app, ctx) => {
  app.post(
    '/api/v1/orgs',
    {
      config: { auth: 'session' },
      schema: {
        tags: ['orgs'],
        summary: 'Create an org; the signed-in user becomes its Owner',
        body: Type.Object(
          { name: OrgName, slug: SafeString({ minLength: 1, maxLength: 40 }) },
          { additionalProperties: false },
        ),
        response: { 201: Org, 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 409: ErrorBody },
      },
    },
    async (request, reply) => {
      const auth = request.auth!;
      const org = await ctx.services.orgs.create({
        name: request.body.name,
        slug: request.body.slug,
        ownerUserId: auth.actor.userId!,
        actor: auth.actor,
      });
      return reply.status(201).send(orgView(org));
    },
  );
};
