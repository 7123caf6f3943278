import pino, { type Logger } from 'pino';
import type { FastifyRequest } from 'fastify';
import { REDACT_PATHS, redactUrl } from './http/redact.js';

/** Structured JSON logs with every credential path redacted, and token values cut out of URLs. */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
      serializers: {
        req: (req: FastifyRequest) => ({
          id: req.id,
          method: req.method,
          url: redactUrl(req.url),
          remoteAddress: req.ip,
        }),
      },
    },
    destination,
  );
}
