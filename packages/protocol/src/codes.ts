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
} as const;

export type VerifyCode = keyof typeof VERIFY_CODES;
