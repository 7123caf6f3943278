import {
  secondsUntil,
  VERIFY_CODES,
  type QuotaInfo,
  type RateLimitInfo,
  type TokenIdentity,
  type VerifyCode,
  type VerifyWarning,
} from '@latchkey/protocol';

/** The identity a handler sees for an allowed request. */
export interface LatchkeyIdentity extends TokenIdentity {
  /** The allowed origin, for a public token. */
  origin: string | null;
  /**
   * Which of the token's values was sent: `previous` is the value a rotation replaced, still inside its
   * overlap — a caller that has not switched to the new value yet (Latchkey docs/lifecycle.md).
   */
  secret: 'current' | 'previous';
  /**
   * The token's allowlists are report-only and this request is outside them: allowed, and what enforcing
   * would have refused (absent when nothing was).
   */
  warnings?: VerifyWarning[];
}

/**
 * Why a request is refused: the verifier's codes, plus `rate_limited` when Latchkey itself refuses to
 * decide for this caller now (HTTP 429 from /verify). A denial, never a reason to fail open.
 */
export type DenialCode = Exclude<VerifyCode, 'valid'> | 'rate_limited';

/** A token with limits (Latchkey docs/verification.md): its tightest or refusing window, its quota balance. */
export interface DecisionLimits {
  rateLimit?: RateLimitInfo;
  quota?: QuotaInfo;
}

export type Decision =
  | ({ valid: true; code: 'valid'; identity: LatchkeyIdentity } & DecisionLimits)
  | ({
      valid: false;
      code: DenialCode;
      /** Seconds, for `rate_limited` and `quota_exhausted` (absent: a quota that never refills). */
      retryAfter?: number;
    } & DecisionLimits);

export interface VerifyInput {
  token: string | undefined;
  origin: string | null;
  permission?: string;
  /** The client's address (the framework's, after its trusted-proxy rules), for IP allowlists. */
  ip?: string | null;
  /** Credits the request spends from a token's quota (Latchkey's default: 1). */
  cost?: number;
}

/**
 * Anything that decides: the remote client below, or the server's own in-process verifier when
 * Latchkey is embedded (see `fromVerifier`).
 */
export interface DecisionSource {
  decide(input: VerifyInput): Promise<Decision>;
}

/**
 * Latchkey could not be asked: a network error, a timeout or a 5xx. The only failure `failOpen` may
 * let through.
 */
export class LatchkeyUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'LatchkeyUnavailableError';
  }
}

/**
 * Latchkey answered, but not with a decision: a 4xx other than 429 (a wrong verify secret, a wrong URL,
 * a request it refused), a redirect, or a body that is not a verify answer. The guard always fails
 * closed on it, whatever `failOpen` says: the server is up and said no, or is not the server we think.
 */
export class LatchkeyRefusedError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'LatchkeyRefusedError';
  }
}

/** Too many requests: Latchkey's own limit, a token's rate limit or its used-up quota. */
export function statusFor(code: VerifyCode | DenialCode): number {
  return code === 'rate_limited' || code === 'quota_exhausted' ? 429 : VERIFY_CODES[code];
}

/** Retry-After for a limit's refusal: until the window ends, or the quota's next refill (none: never refills). */
export function limitRetryAfter(code: DenialCode, limits: DecisionLimits, nowMs: number): number | undefined {
  const until =
    code === 'rate_limited'
      ? limits.rateLimit?.resetAt
      : code === 'quota_exhausted'
        ? limits.quota?.refillAt
        : null;
  return until ? Math.max(1, secondsUntil(until, nowMs)) : undefined;
}

export const DENIAL_MESSAGES: Record<DenialCode, string> = {
  token_missing: 'Send a token: Authorization: Bearer <token> or ?bearer_token=<token>.',
  token_invalid: 'The token is not valid.',
  token_revoked: 'The token has been revoked.',
  token_expired: 'The token has expired.',
  token_rotated: 'This is an old value of a rotated token; use its new value.',
  token_suspended: 'The token is suspended.',
  owner_disabled: "The token's service account is disabled.",
  origin_required:
    'This public token only works from its allowed web origins; the request carried no origin.',
  origin_not_allowed: "This public token does not allow the request's origin.",
  permission_denied: 'The token does not grant the permission this endpoint needs.',
  ip_not_allowed: "The token's IP allowlist does not include the address this request came from.",
  rate_limited:
    'Too many requests with this token (or from this address); try again after Retry-After seconds.',
  quota_exhausted: "The token's quota is used up; it works again after its next refill, if it has one.",
};
