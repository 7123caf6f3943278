import Type from 'typebox';
import { AppError } from '../../domain/errors.js';
import { VERIFY_SECRET_HEADER } from '../../verify/proxy-headers.js';
import { parseRequestOrigin } from '../../verify/request-credentials.js';
import { verifyFromAddress } from '../../verify/verify-from-address.js';
import { verifySecretMatches } from '../verify-secret.js';
import { ErrorBody, Nullable, TokenType } from '../schemas.js';
import type { RouteModule } from '../route-context.js';

export const VerifyResponse = Type.Object({
  valid: Type.Boolean(),
  code: Type.String({ description: 'valid, token_missing, token_invalid, token_revoked, token_expired, owner_disabled, origin_required, origin_not_allowed, permission_denied' }),
  org: Nullable(Type.Object({ id: Type.String(), slug: Type.String() })),
  tokenId: Nullable(Type.String()),
  owner: Nullable(Type.Object({ type: Type.String(), id: Type.String(), name: Type.String() })),
  type: Nullable(TokenType),
  permissions: Type.Array(Type.String()),
});

export const verifyRoute: RouteModule = (app, ctx) => {
  app.post(
    '/api/v1/verify',
    {
      config: { auth: 'none' },
      logLevel: ctx.config.verifyLogLevel,
      schema: {
        tags: ['verify'],
        summary: 'Is this token good for this origin and permission? Always 200 with the decision in `code`',
        body: Type.Object(
          {
            // Generous bound: over-long values get the token_invalid decision, not a schema error.
            token: Type.String({ maxLength: 65_536 }),
            origin: Type.Optional(Nullable(Type.String({ maxLength: 2048 }))),
            permission: Type.Optional(Type.String({ pattern: '^[a-z][a-z0-9_]{0,62}:(view|edit)$', maxLength: 70 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: VerifyResponse, 400: ErrorBody, 401: ErrorBody, 429: ErrorBody },
      },
    },
    async (request) => {
      if (!verifySecretMatches(ctx.config.verifySecret, request.headers[VERIFY_SECRET_HEADER])) {
        throw new AppError('unauthenticated', 'This deployment requires the x-latchkey-verify-secret header on /api/v1/verify.');
      }
      const { token, origin, permission } = request.body;
      // The caller passes the browser's Origin (or Referer) as it received it: parsed exactly as
      // forward-auth parses those headers.
      const { result: r, rateLimited } = await verifyFromAddress(ctx, request.ip, { token, origin: parseRequestOrigin(origin), permission });
      if (rateLimited) throw new AppError('rate_limited', 'Too many invalid tokens from this address; only known tokens are checked for now. Retry in a minute.');
      const id = r.valid ? r : r.identity;
      return {
        valid: r.valid,
        code: r.code,
        org: r.valid && id ? id.org : null,
        tokenId: r.valid && id ? id.tokenId : null,
        owner: r.valid && id ? id.owner : null,
        type: r.valid && id ? id.type : null,
        permissions: r.valid && id ? id.permissions : [],
      };
    },
  );
};
