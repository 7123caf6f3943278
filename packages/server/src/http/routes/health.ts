import Type from 'typebox';
import type { RouteModule } from '../route-context.js';

export const healthRoutes: RouteModule = (app, ctx) => {
  app.get(
    '/healthz',
    {
      config: { auth: 'none' },
      schema: { hide: true, response: { 200: Type.Object({ status: Type.Literal('ok') }) } },
    },
    async () => ({ status: 'ok' as const }),
  );
  app.get(
    '/readyz',
    {
      config: { auth: 'none' },
      schema: {
        hide: true,
        response: {
          200: Type.Object({ status: Type.String(), invalidationFeed: Type.String() }),
          503: Type.Object({ status: Type.String(), invalidationFeed: Type.String() }),
        },
      },
    },
    async (_request, reply) => {
      // 'local' on SQLite (one instance); on PostgreSQL 'listening', or 'reconnecting' while this
      // instance serves from the database only.
      const feed = ctx.feedStatus();
      const invalidationFeed = feed === null ? 'local' : feed.listening ? 'listening' : 'reconnecting';
      try {
        await ctx.services.health.databaseReachable();
        return { status: 'ready', invalidationFeed };
      } catch {
        return reply.status(503).send({ status: 'database unavailable', invalidationFeed });
      }
    },
  );
};
