import type { RouteModule } from '../route-context.js';

export const metricsRoute: RouteModule = (app, ctx) => {
  app.get('/metrics', { config: { auth: 'none' }, schema: { hide: true } }, async (_request, reply) => {
    reply.header('content-type', ctx.metrics.registry.contentType);
    return ctx.metrics.render();
  });
};
