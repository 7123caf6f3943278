import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, ERROR_STATUS, type ErrorCode } from '../domain/errors.js';

export function sendError(
  reply: FastifyReply,
  request: FastifyRequest,
  code: ErrorCode,
  message: string,
  details?: unknown,
) {
  return reply.status(ERROR_STATUS[code]).send({
    error: { code, message, ...(details === undefined ? {} : { details }), requestId: String(request.id) },
  });
}

/** Fastify's own error codes that are the client's fault, mapped into our closed set. */
const FASTIFY_CODES: Record<string, { code: ErrorCode; message: string }> = {
  FST_ERR_CTP_INVALID_JSON_BODY: {
    code: 'validation_failed',
    message: 'The request body is not valid JSON.',
  },
  FST_ERR_CTP_EMPTY_JSON_BODY: {
    code: 'validation_failed',
    message: 'The request body is empty; send a JSON object.',
  },
  FST_ERR_CTP_BODY_TOO_LARGE: { code: 'payload_too_large', message: 'The request body is too large.' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    code: 'unsupported_media_type',
    message: 'Send the body as application/json.',
  },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: {
    code: 'validation_failed',
    message: 'The Content-Length header does not match the body.',
  },
  FST_CSRF_INVALID_TOKEN: {
    code: 'csrf_invalid',
    message: 'Missing or invalid CSRF token: send the x-csrf-token header from /api/v1/me.',
  },
  FST_CSRF_MISSING_SECRET: {
    code: 'csrf_invalid',
    message: 'Missing CSRF secret: reload the console and try again.',
  },
};

/**
 * Fastify's errors from before routing — a URL whose percent-encoding does not decode (`%`, `%E0%A4%A`),
 * a path parameter over maxParamLength, a failed route constraint — in the same envelope as the rest.
 * Without this Fastify answers them in its own body. Pass as the `frameworkErrors` option of Fastify().
 * The URL is not echoed: it may carry a credential (`?bearer_token=`).
 */
export function frameworkErrors(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  if (error.code === 'FST_ERR_BAD_URL') {
    void sendError(
      reply,
      request,
      'validation_failed',
      'The URL is malformed: a percent-encoded sequence does not decode.',
    );
  } else if (error.code === 'FST_ERR_MAX_PARAM_LENGTH') {
    void sendError(reply, request, 'validation_failed', 'A path segment of the URL is too long.');
  } else {
    request.log.error({ err: error }, 'framework error');
    void sendError(
      reply,
      request,
      'internal_error',
      `Internal error; quote request id ${String(request.id)} when reporting it.`,
    );
  }
}

/**
 * One error envelope for everything. Expected failures become their code; anything else is a
 * generic 500, logged with the request id and never echoed to the client.
 */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | AppError, request, reply) => {
    if (error instanceof AppError) {
      // A limit that knows when it ends says so (its window comes from config): `Retry-After`, as docs/api.md promises.
      const retryAfter = (error.details as { retryAfterSeconds?: unknown } | undefined)?.retryAfterSeconds;
      if (error.code === 'rate_limited' && typeof retryAfter === 'number')
        reply.header('retry-after', String(retryAfter));
      return sendError(reply, request, error.code, error.message, error.details);
    }
    const fe = error as FastifyError;
    if (fe.validation) {
      const where = fe.validationContext ?? 'request';
      const details = fe.validation.map((v) => ({
        in: where,
        path: v.instancePath || '/',
        message: v.message ?? 'is invalid',
      }));
      const first = details[0];
      return sendError(
        reply,
        request,
        'validation_failed',
        `Invalid ${where}: ${first ? `${first.path} ${first.message}` : 'see details'}.`,
        details,
      );
    }
    const mapped = fe.code ? FASTIFY_CODES[fe.code] : undefined;
    if (mapped) return sendError(reply, request, mapped.code, mapped.message);
    if (fe.statusCode === 429)
      return sendError(reply, request, 'rate_limited', fe.message || 'Too many requests; slow down.');
    if (fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500) {
      return sendError(reply, request, 'validation_failed', 'The request could not be processed.');
    }
    request.log.error({ err: error }, 'unhandled error');
    return sendError(
      reply,
      request,
      'internal_error',
      `Internal error; quote request id ${String(request.id)} when reporting it.`,
    );
  });

  app.setNotFoundHandler((request, reply) =>
    sendError(reply, request, 'not_found', `No route ${request.method} ${request.url.split('?')[0]}.`),
  );
}
