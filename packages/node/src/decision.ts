import { VERIFY_CODES, type VerifyCode } from '@latchkey/server/verify/codes';

/** The identity a handler sees for an allowed request. */
export interface LatchkeyIdentity {
  org: { id: string; slug: string };
  tokenId: string;
  owner: { type: 'service_account' | 'user'; id: string; name: string };
  type: 'public' | 'private';
  permissions: string[];
  /** The allowed origin, for a public token. */
  origin: string | null;
}

export type Decision = { valid: true; code: 'valid'; identity: LatchkeyIdentity } | { valid: false; code: Exclude<VerifyCode, 'valid'> };

export interface VerifyInput {
  token: string | undefined;
  origin: string | null;
  permission?: string;
}

/**
 * Anything that decides: the remote client below, or the server's own in-process verifier when
 * Latchkey is embedded (see `fromVerifier`).
 */
export interface DecisionSource {
  decide(input: VerifyInput): Promise<Decision>;
}

export class LatchkeyUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'LatchkeyUnavailableError';
  }
}

export function statusFor(code: VerifyCode): number {
  return VERIFY_CODES[code];
}

export const DENIAL_MESSAGES: Record<Exclude<VerifyCode, 'valid'>, string> = {
  token_missing: 'Send a token: Authorization: Bearer <token> or ?bearer_token=<token>.',
  token_invalid: 'The token is not valid.',
  token_revoked: 'The token has been revoked.',
  token_expired: 'The token has expired.',
  owner_disabled: "The token's service account is disabled.",
  origin_required: 'This public token only works from its allowed web origins; the request carried no origin.',
  origin_not_allowed: "This public token does not allow the request's origin.",
  permission_denied: 'The token does not grant the permission this endpoint needs.',
};
