import type { FastifyInstance } from 'fastify';
import type { LatchkeyIdentity } from './decision.js';
import { createGuard, type GuardOptions } from './guard.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by latchkeyFastify for allowed requests (null only with failOpen while Latchkey is down). */
    latchkey: LatchkeyIdentity | null;
  }
}

/**
 * Protects every route of the Fastify instance (or encapsulated plugin) it is called on:
 *
 *   latchkeyFastify(app, { source: remoteVerifier({ url: 'http://latchkey:8080' }), permission: 'assets:view' })
 */
export function latchkeyFastify(app: FastifyInstance, options: GuardOptions): void {
  const guard = createGuard(options);
  app.decorateRequest('latchkey', null);
  app.addHook('onRequest', async (request, reply) => {
    const outcome = await guard({
      method: request.method,
      url: request.url,
      headers: request.headers,
      rawHeaders: request.raw.rawHeaders,
      ip: request.ip,
    });
    reply.headers(outcome.headers);
    if (outcome.kind === 'preflight') return reply.status(outcome.status).send();
    if (outcome.kind === 'deny') return reply.status(outcome.status).send(outcome.body);
    request.latchkey = outcome.identity;
  });
  // Browsers preflight cross-origin calls; Fastify would answer 404 to an OPTIONS nobody declared.
  // The hook above answers the preflight before this handler could run.
  app.options('/*', async (_request, reply) => reply.status(204).send());
}
