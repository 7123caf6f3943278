/**
 * The closed set of error codes and their HTTP statuses (one registry, as Unkey's codeToStatus).
 * Services throw `AppError`; the HTTP layer renders `{error: {code, message, details?, requestId}}`.
 * Tests assert codes, never messages. Every code the API can answer is here or in IMPORT_ROW_CODES
 * below (the rest are the verification decisions, @latchkey/protocol codes.ts); the OpenAPI document lists them as
 * enums and test/http/error-codes.test.ts checks docs/api.md against all three.
 *
 * Each 409 names its condition: a client that branches on the code never has to read the message.
 */
export const ERROR_STATUS = {
  validation_failed: 400,
  invalid_service_account_name: 400,
  invalid_domain: 400,
  wildcard_domain: 400,
  domains_required: 400,
  service_account_required: 400,
  invalid_permission: 400,
  invalid_expiry: 400,
  invalid_import: 400,
  invalid_webhook_url: 400,
  invitation_invalid: 400,
  password_reset_invalid: 400,
  setup_invalid: 400,
  unauthenticated: 401,
  invalid_credentials: 401,
  forbidden: 403,
  csrf_invalid: 403,
  permission_escalation: 403,
  invitation_wrong_account: 403,
  not_found: 404,
  name_taken: 409,
  email_taken: 409,
  value_taken: 409,
  token_revoked: 409,
  token_expired: 409,
  service_account_disabled: 409,
  service_account_has_tokens: 409,
  member_owns_tokens: 409,
  last_owner: 409,
  builtin_role: 409,
  role_in_use: 409,
  already_member: 409,
  setup_complete: 409,
  webhook_endpoint_disabled: 409,
  delivery_in_flight: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  internal_error: 500,
  service_unavailable: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

/** Every error code, in registry order (the OpenAPI enum of `error.code`). */
export const ERROR_CODES = Object.keys(ERROR_STATUS) as ErrorCode[];

/**
 * Why one row of a token import cannot be imported (`details.rows[].code` of `invalid_import`, and
 * `rows[].code` of a dry run). A closed set, documented in docs/api.md and docs/migration.md.
 */
export const IMPORT_ROW_CODES = [
  'owner_not_member',
  'invalid_import',
  'value_too_short',
  'duplicate_value',
  'value_unavailable',
  'domains_required',
  'invalid_domain',
  'wildcard_domain',
  'validation_failed',
  'invalid_expiry',
  'permission_escalation',
] as const;

export type ImportRowCode = (typeof IMPORT_ROW_CODES)[number];

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'AppError';
  }

  get status(): number {
    return ERROR_STATUS[this.code];
  }
}

export const notFound = (what: string) => new AppError('not_found', `${what} not found.`);
