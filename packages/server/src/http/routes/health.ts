import Type from 'typebox';
import type { RouteModule } from '../route-context.js';

export const healthRoutes: RouteModule = (app, ctx) => {
  app.get(
    '/healthz',
    { config: { auth: 'none' }, schema: { hide: true, response: { 200: Type.Object({ status: Type.Literal('ok') }) } } },
    async () => ({ status: 'ok' as const }),
  );
  app.get(
    '/readyz',
    {
      config: { auth: 'none' },
      schema: { hide: true, response: { 200: Type.Object({ status: Type.String() }), 503: Type.Object({ status: Type.String() }) } },
    },
    async (_request, reply) => {
      try {
        await ctx.services.deps.store.ping();
        return { status: 'ready' };
      } catch {
        return reply.status(503).send({ status: 'database unavailable' });
      }
    },
  );
};
