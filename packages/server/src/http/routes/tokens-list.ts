import Type from 'typebox';
import { requireScope } from '../auth.js';
import {
  Cursor,
  Id,
  Limit,
  Nullable,
  OrgParam,
  SafeString,
  StringEnum,
  Token,
  TokenType,
  orgErrors,
} from '../schemas.js';
import { decodeCursor, encodeCursor, type RouteModule } from '../route-context.js';
import { BASE62_CHAR } from '../../domain/base62-alphabet.js';
import { ID_RANDOM_LENGTH } from '../../domain/id-shape.js';
import { AppError } from '../../domain/errors.js';
import { DEFAULT_TOKEN_SORT, isSortKey, TOKEN_SORT_SPEC, TOKEN_SORTS } from '../../domain/token-sort.js';

/** What a token-list cursor carries: the order, and the key and id of the last token of the previous page. */
const TokenCursor = Type.Object({
  sort: StringEnum(TOKEN_SORTS),
  key: Type.String({ maxLength: 1000 }),
  id: Id('tok'),
});

/** A token owner's id in a filter: a service account (sa_…) or, for legacy tokens, a user (usr_…). */
export const TokenOwnerId = Type.String({
  pattern: `^(sa|usr)_${BASE62_CHAR}{${ID_RANDOM_LENGTH}}$`,
  description: 'A service account (sa_…) or user (usr_…) id',
});

export const tokensListRoute: RouteModule = (app, ctx) => {
  app.get(
    '/api/v1/orgs/:org/tokens',
    {
      config: { auth: 'any', permission: 'tokens:view' },
      schema: {
        tags: ['tokens'],
        summary: 'List tokens, newest first, with filters and cursor pagination (revoked hidden by default)',
        params: Type.Object({ org: OrgParam }, { additionalProperties: false }),
        querystring: Type.Object(
          {
            owner: Type.Optional(TokenOwnerId),
            type: Type.Optional(TokenType),
            status: Type.Optional(
              Type.Union(
                [
                  Type.Literal('active'),
                  Type.Literal('revoked'),
                  Type.Literal('expired'),
                  Type.Literal('all'),
                ],
                { default: 'active' },
              ),
            ),
            search: Type.Optional(
              SafeString({
                maxLength: 100,
                description:
                  'Part of the name or of the hint (e.g. lk_pub_2s3x). To find the token a full value belongs to, POST it to /tokens/find.',
              }),
            ),
            sort: Type.Optional(
              StringEnum(TOKEN_SORTS, {
                description:
                  'created_desc (the default), created_asc, name_asc, name_desc, last_used_desc (never used last) or expires_asc (never expiring last)',
              }),
            ),
            limit: Type.Optional(Limit),
            cursor: Type.Optional(Cursor),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            items: Type.Array(Token),
            nextCursor: Nullable(Type.String()),
            total: Type.Integer({ description: 'How many tokens the filters match in all' }),
          }),
          ...orgErrors,
        },
      },
    },
    async (request) => {
      const q = request.query;
      const sort = q.sort ?? DEFAULT_TOKEN_SORT;
      const cursor = decodeCursor(q.cursor, TokenCursor);
      if (cursor && cursor.sort !== sort)
        throw new AppError('validation_failed', `This cursor pages the ${cursor.sort} order, not ${sort}.`);
      // Its key goes into the query: a forged one (not a date where a date belongs) is refused here, not
      // by PostgreSQL with a 500.
      if (cursor && !isSortKey(TOKEN_SORT_SPEC[sort], cursor.key))
        throw new AppError('validation_failed', 'This cursor is not one this list gave out.');
      const page = await ctx.services.tokens.list(requireScope(request), {
        ownerServiceAccountId: q.owner?.startsWith('sa_') ? q.owner : undefined,
        ownerUserId: q.owner?.startsWith('usr_') ? q.owner : undefined,
        type: q.type,
        status: q.status ?? 'active',
        search: q.search,
        limit: q.limit ?? 50,
        sort,
        after: cursor && { key: cursor.key, id: cursor.id },
      });
      return {
        items: page.items,
        total: page.total,
        nextCursor: page.next && encodeCursor({ sort, ...page.next }),
      };
    },
  );
};
