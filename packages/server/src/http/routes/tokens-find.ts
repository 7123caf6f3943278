import Type from 'typebox';
import { AppError } from '../../domain/errors.js';
import { MAX_TOKEN_LENGTH } from '../../domain/token-format.js';
import { requireScope } from '../auth.js';
import { chargeProbeBudget } from '../probe-budget.js';
import { Nullable, OrgParams, SafeString, TokenDetail, orgErrors, ErrorBody } from '../schemas.js';
import type { RouteModule } from '../route-context.js';

/**
 * "Whose is this value?" — an admin who finds a token in a log or a repository pastes it to learn which
 * of the org's tokens it is (issue 17 item 5). A POST, so the value never sits in a URL (browser history,
 * proxy access logs). Each call is one lookup of a value across the deployment, charged to the caller's
 * address like a failed verification: this is no faster an oracle than /verify.
 */
export const tokensFindRoute: RouteModule = (app, ctx) => {
  app.post(
    '/api/v1/orgs/:org/tokens/find',
    {
      config: { auth: 'any', permission: 'tokens:view' },
      schema: {
        tags: ['tokens'],
        summary: "Find the org's token that has a given value (charged like a failed verification)",
        params: OrgParams,
        body: Type.Object(
          { value: SafeString({ minLength: 1, maxLength: MAX_TOKEN_LENGTH }) },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({ item: Nullable(TokenDetail) }),
          ...orgErrors,
          429: ErrorBody,
        },
      },
    },
    async (request) => {
      // Checked before anything is charged: blanks around a pasted value are dropped, a blank is no value.
      const value = request.body.value.trim();
      if (value === '')
        throw new AppError('validation_failed', 'value: a token value is required.', { field: 'value' });
      chargeProbeBudget(
        ctx.failureLimiter,
        request.ip,
        1,
        { limit: ctx.config.verifyFailureLimit, windowSeconds: ctx.config.verifyFailureWindowSeconds },
        (limit, windowSeconds) =>
          `A search by value counts against this address's budget of ${limit} invalid-token checks per ${windowSeconds} s.`,
      );
      return {
        item: await ctx.services.tokens.findByValue(requireScope(request), request.body.value.trim()),
      };
    },
  );
};
