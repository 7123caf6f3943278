import type { FastifyRequest } from 'fastify';
import Type from 'typebox';

/**
 * Route options for an action that takes no body (suspend, resume): none, or `{}`. Anything else is a
 * mistake worth a 400 rather than silently ignored. Fastify validates an absent body as `undefined`, so
 * the hook makes it `{}` before the schema sees it.
 */
export const noBody = {
  preValidation: async (request: FastifyRequest) => {
    request.body ??= {};
  },
  schema: Type.Object({}, { additionalProperties: false }),
};
