import { Readable } from 'node:stream';
import { AppError } from '../../domain/errors.js';
import { VERIFY_SECRET_HEADER } from '../../verify/proxy-headers.js';
import { parseRequestOrigin } from '@latchkey/protocol';
import { verifyFromAddress } from '../../verify/verify-from-address.js';
import { verifySecretMatches } from '../verify-secret.js';
import { ErrorBody } from '../schemas.js';
import {
  rateLimitedMessage,
  UNAUTHENTICATED_MESSAGE,
  verifyAnswerObject,
  VerifyBody,
  VerifyResponse,
} from '../verify-answer.js';
import type { RouteModule } from '../route-context.js';
import { REPLAYED_BODY, type ReplayableRequest } from '../hot-handler.js';

export const verifyRoute: RouteModule = (app, ctx) => {
  app.post(
    '/api/v1/verify',
    {
      config: { auth: 'none' },
      logLevel: ctx.config.verifyLogLevel,
      // A body the hot path already read and handed on (hot-handler.ts) is read again from its bytes.
      preParsing: (request, _reply, payload, done) => {
        const replayed = (request.raw as ReplayableRequest)[REPLAYED_BODY];
        done(null, replayed === undefined ? payload : Readable.from([replayed]));
      },
      schema: {
        tags: ['verify'],
        summary: 'Is this token good for this origin and permission? Always 200 with the decision in `code`',
        body: VerifyBody,
        response: { 200: VerifyResponse, 400: ErrorBody, 401: ErrorBody, 429: ErrorBody },
      },
    },
    // The hot entry (http/hot-handler.ts) answers most requests before Fastify sees them; what it hands on
    // after reading the body (a body it would refuse, a database error) is read from here again.
    async (request, reply) => {
      if (!verifySecretMatches(ctx.config.verifySecret, request.headers[VERIFY_SECRET_HEADER])) {
        throw new AppError('unauthenticated', UNAUTHENTICATED_MESSAGE);
      }
      const { token, origin, permission, ip, cost } = request.body;
      // The caller passes the browser's Origin (or Referer) as it received it: parsed exactly as
      // forward-auth parses those headers.
      const decided = await verifyFromAddress(ctx, request.ip, {
        token,
        origin: parseRequestOrigin(origin),
        permission,
        ip,
        cost,
      });
      if (decided.rateLimited) {
        reply.header('retry-after', String(decided.retryAfterSeconds));
        throw new AppError('rate_limited', rateLimitedMessage(decided.retryAfterSeconds));
      }
      return verifyAnswerObject(decided.result);
    },
  );
};
