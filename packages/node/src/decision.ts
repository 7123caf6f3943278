import { VERIFY_CODES, type TokenIdentity, type VerifyCode, type VerifyWarning } from '@latchkey/protocol';

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

export type Decision =
  | { valid: true; code: 'valid'; identity: LatchkeyIdentity }
  | { valid: false; code: DenialCode; /** Seconds, for `rate_limited`. */ retryAfter?: number };

export interface VerifyInput {
  token: string | undefined;
  origin: string | null;
  permission?: string;
  /** The client's address (the framework's, after its trusted-proxy rules), for IP allowlists. */
  ip?: string | null;
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

export function statusFor(code: VerifyCode | DenialCode): number {
  return code === 'rate_limited' ? 429 : VERIFY_CODES[code];
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
  rate_limited: 'Token verification is rate-limited for now; try again after Retry-After seconds.',
};
