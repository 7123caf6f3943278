import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Static, TSchema } from 'typebox';
import { Value } from 'typebox/value';
import type {
  FastifyBaseLogger,
  FastifyInstance,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify';
import type { Config } from '../config/config.js';
import { AppError } from '../domain/errors.js';
import type { Services } from '../services/index.js';
import type { Verifier } from '../verify/verifier.js';
import type { Metrics } from '../verify/metrics.js';
import type { FailureLimiter } from '../verify/failure-limiter.js';
import type { CredentialLimits } from '../services/credential-limits.js';
import type { TokenPresence } from '../verify/token-presence.js';
import type { createAuthenticator } from './auth.js';

export type App = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

export interface RouteContext {
  services: Services;
  config: Config;
  verifier: Verifier;
  metrics: Metrics;
  /** The cross-instance feed's state (null on SQLite). */
  feedStatus: () => { listening: boolean } | null;
  failureLimiter: FailureLimiter;
  /** Per-account and per-address limits on credential checks (sign-in, password change, setup). */
  credentialLimits: CredentialLimits;
  /** Which token hashes may exist (verify-from-address); absent in apps built without it. */
  tokenPresence?: TokenPresence;
  auth: ReturnType<typeof createAuthenticator>;
}

export type RouteModule = (app: App, ctx: RouteContext) => void;

/**
 * The per-address request limit of the sign-in, setup, invitation and password-reset routes
 * (@fastify/rate-limit's route config): LATCHKEY_LOGIN_RATE_LIMIT per LATCHKEY_LOGIN_RATE_WINDOW_SECONDS.
 * Its 429 says in Retry-After when the window ends.
 */
export function loginRateLimit(config: Config): { max: number; timeWindow: number } {
  return { max: config.loginRateLimit, timeWindow: config.loginRateWindowSeconds * 1000 };
}

/** Opaque keyset cursors: base64url JSON of the last row's sort key. */
export function encodeCursor(key: Record<string, string> | null): string | null {
  return key ? Buffer.from(JSON.stringify(key)).toString('base64url') : null;
}

/**
 * Reads a cursor back, holding what it carries to `schema` (strings of the right shape, dates that are
 * dates): a cursor is client input like any other, and its values go into a query.
 */
export function decodeCursor<T extends TSchema>(
  cursor: string | undefined,
  schema: T,
): Static<T> | undefined {
  if (cursor === undefined) return undefined;
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Value.Check(schema, value)) return value;
  } catch {
    // fall through
  }
  throw new AppError(
    'validation_failed',
    'The cursor is not one this server issued; start again without it.',
  );
}
