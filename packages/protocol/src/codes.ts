/** Verification outcomes (SPEC §4) and the HTTP status each maps to on forward-auth and the middleware. */
export const VERIFY_CODES = {
  valid: 200,
  token_missing: 401,
  token_invalid: 401,
  token_revoked: 401,
  token_expired: 401,
  /** A value the token had before a rotation, retired since: use the new value. */
  token_rotated: 401,
  /** Suspended until resumed (revocation, unlike this, is final). */
  token_suspended: 401,
  owner_disabled: 401,
  origin_required: 403,
  origin_not_allowed: 403,
  permission_denied: 403,
  /** The client address is not on the token's IP allowlist (or was not given, and the token has one). */
  ip_not_allowed: 403,
  /**
   * Over one of the token's rate-limit windows. 403 on forward-auth (proxies map it to 429, see the nginx
   * snippet); the middleware answers 429 with Retry-After.
   */
  rate_limited: 403,
  /** The token's quota has no credits left (until its next refill, if it has one). As rate_limited. */
  quota_exhausted: 403,
} as const;

export type VerifyCode = keyof typeof VERIFY_CODES;

/**
 * The refusals a report-only allowlist turns into warnings on a `valid` answer: the request is allowed,
 * and the platform learns what enforcing the allowlist would refuse.
 */
export const VERIFY_WARNINGS = ['origin_required', 'origin_not_allowed', 'ip_not_allowed'] as const;
export type VerifyWarning = (typeof VERIFY_WARNINGS)[number];
