import Type from 'typebox';
import { ErrorBody, Nullable, User } from '../schemas.js';
import type { RouteModule } from '../route-context.js';
import { issueCsrfToken } from '../session-cookie.js';

export const meRoute: RouteModule = (app, ctx) => {
  app.get(
    '/api/v1/me',
    {
      config: { auth: 'any' },
      schema: {
        tags: ['auth'],
        summary: 'Who is calling: the user and their orgs, or the token and its org',
        response: {
          200: Type.Object({
            kind: Type.Union([Type.Literal('session'), Type.Literal('token')]),
            user: Nullable(User),
            token: Nullable(
              Type.Object({
                id: Type.String(),
                orgId: Type.String(),
                permissions: Type.Array(Type.String()),
              }),
            ),
            orgs: Type.Array(
              Type.Object({
                id: Type.String(),
                slug: Type.String(),
                name: Type.String(),
                roleId: Nullable(Type.String()),
                roleName: Nullable(Type.String()),
              }),
            ),
            csrfToken: Nullable(
              Type.String({ description: 'Send as x-csrf-token on cookie-authenticated writes' }),
            ),
          }),
          401: ErrorBody,
        },
      },
    },
    async (request, reply) => {
      const auth = request.auth!;
      if (auth.kind === 'token') {
        const org = (await ctx.services.orgs.get(auth.orgId))!;
        return {
          kind: 'token' as const,
          user: null,
          token: { id: auth.actor.id!, orgId: auth.orgId, permissions: auth.permissions },
          orgs: [{ id: org.id, slug: org.slug, name: org.name, roleId: null, roleName: null }],
          csrfToken: null,
        };
      }
      const orgs = await ctx.services.orgs.listForUser(auth.user.id);
      return {
        kind: 'session' as const,
        user: { id: auth.user.id, email: auth.user.email, name: auth.user.name },
        token: null,
        orgs: orgs.map((o) => ({
          id: o.id,
          slug: o.slug,
          name: o.name,
          roleId: o.roleId,
          roleName: o.roleName,
        })),
        csrfToken: issueCsrfToken(reply, auth.sessionValue),
      };
    },
  );
};
