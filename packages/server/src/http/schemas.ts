import Type, { type TSchema, type TStringOptions } from 'typebox';
import Format from 'typebox/format';
import { DATE_TIME_RULE, isStrictDateTime } from '../domain/date-time.js';
import { AUDIT_ACTIONS } from '../domain/audit-actions.js';
import { ERROR_CODES } from '../domain/errors.js';
import { ORG_NAME_MAX_LENGTH, ORG_NAME_RULE } from '../domain/org-name.js';
import { BASE62_CHAR } from '../domain/base62-alphabet.js';
import { ID_RANDOM_LENGTH } from '../domain/id-shape.js';
import { MAX_ALLOWED_IPS } from '../domain/ip-allowlist.js';
import { MAX_RATE_LIMITS, MAX_WINDOW_SECONDS } from '../domain/token-limits.js';
import { WEBHOOK_EVENT_TYPES } from '../domain/webhook-events.js';

/** Shared TypeBox schemas: they drive validation, serialisation, the OpenAPI document and the types. */

/**
 * Every string the API accepts (body, query string, path) is built by one of these two, so that a
 * NUL — which PostgreSQL cannot store and answers with an error — or another control character never
 * gets past validation. Single-line values also refuse C1 controls and the Unicode line separators.
 */
// Surrogates only in pairs: a lone one is not text (encodeURIComponent throws on it, drivers mangle it).
const PAIR = '[\\ud800-\\udbff][\\udc00-\\udfff]';
const SINGLE_LINE = `^(?:[^\\u0000-\\u001f\\u007f-\\u009f\\u2028\\u2029\\ud800-\\udfff]|${PAIR})*$`;
const MULTI_LINE = `^(?:[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f\\ud800-\\udfff]|${PAIR})*$`;
export const SafeString = (options: TStringOptions = {}) => Type.String({ pattern: SINGLE_LINE, ...options });
/** Free text that may span lines (tabs and line breaks allowed, no other control characters). */
export const SafeText = (options: TStringOptions = {}) => Type.String({ pattern: MULTI_LINE, ...options });

/**
 * The strict date-time rule (domain/date-time.ts) replaces the lenient stock `date-time` format, which
 * lets through leap seconds and year 0: every date-time input — and every cursor checked against these
 * schemas — goes through it. Called once, after the stock formats are registered (http/app.ts).
 */
export function registerStrictFormats(): void {
  Format.Set('date-time', isStrictDateTime);
}

export const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
export const Timestamp = Type.String({
  format: 'date-time',
  maxLength: 64,
  description: `ISO-8601, UTC in answers. ${DATE_TIME_RULE}`,
});
export const Id = (prefix: string, description?: string) =>
  Type.String({
    pattern: `^${prefix}_${BASE62_CHAR}{${ID_RANDOM_LENGTH}}$`,
    maxLength: 64,
    ...(description ? { description } : {}),
  });

/**
 * A closed set of strings as `{type: 'string', enum: [...]}`, typed as their union. @fastify/swagger
 * renders it as an enum; fast-json-stringify compiles exactly the serializer of a plain string (it does
 * not check `enum`), so answers keep their bytes and their speed. A union of literals would render as
 * `anyOf`, which fast-json-stringify serialises by trying each branch.
 */
export const StringEnum = <const T extends readonly string[]>(
  values: T,
  options: { description?: string } = {},
) => Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...options });

export const ErrorBody = Type.Object(
  {
    error: Type.Object({
      code: StringEnum(ERROR_CODES, { description: 'Stable machine-readable code; see docs/api.md' }),
      message: Type.String(),
      details: Type.Optional(Type.Unknown()),
      requestId: Type.String(),
    }),
  },
  { $id: 'Error', description: 'The one error envelope every endpoint uses.' },
);

/** Error responses shared by authenticated, org-scoped routes. */
export const orgErrors = {
  400: ErrorBody,
  401: ErrorBody,
  403: ErrorBody,
  404: ErrorBody,
} as const;

export const OrgParam = SafeString({ minLength: 1, maxLength: 64, description: 'Org id (org_…) or slug' });
export const OrgParams = Type.Object({ org: OrgParam }, { additionalProperties: false });

export const PermissionString = Type.String({ pattern: '^[a-z][a-z0-9_]{0,62}:(view|edit)$', maxLength: 70 });
export const PermissionList = Type.Array(PermissionString, { maxItems: 400 });
export const Domain = SafeString({ minLength: 1, maxLength: 2048 });
export const DomainList = Type.Array(Domain, { maxItems: 100 });
/** A token's IP allowlist as typed: checked and normalised by domain/ip-allowlist.ts (the message says why). */
export const IpAllowlist = Type.Array(SafeString({ maxLength: 64 }), {
  maxItems: MAX_ALLOWED_IPS,
  description:
    'Addresses or CIDR ranges (IPv4, IPv6) the token may be used from, e.g. 203.0.113.0/24 or 2001:db8::/32; [] (the default): anywhere',
});
export const Enforcement = StringEnum(['enforce', 'report_only'], {
  description:
    'enforce (default): the origin and IP allowlists refuse what they do not list. report_only: allowed, answered valid with warnings, and counted (docs/verification.md)',
});

export const RateLimitRule = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 40, pattern: '^[a-z0-9][a-z0-9_-]*$' }),
    limit: Type.Integer({ minimum: 1, maximum: 1_000_000_000 }),
    windowSeconds: Type.Integer({ minimum: 1, maximum: MAX_WINDOW_SECONDS }),
  },
  { additionalProperties: false },
);
export const RateLimitList = Type.Array(RateLimitRule, {
  maxItems: MAX_RATE_LIMITS,
  description:
    'Named windows, e.g. [{"name":"burst","limit":50,"windowSeconds":1},{"name":"daily","limit":10000,"windowSeconds":86400}]: over any of them, verification answers rate_limited; [] (the default): none',
});
export const QuotaRule = Type.Object(
  {
    limit: Type.Integer({ minimum: 1, maximum: 1_000_000_000_000 }),
    refill: Nullable(
      Type.Object(
        {
          interval: StringEnum(['day', 'month']),
          amount: Type.Integer({ minimum: 1, maximum: 1_000_000_000_000 }),
        },
        { additionalProperties: false },
      ),
    ),
  },
  {
    additionalProperties: false,
    description:
      'Credits: each successful verification spends one (or the cost /verify is given); at zero it answers quota_exhausted. refill adds amount at each UTC day or month start, up to limit; null: never. null: no quota',
  },
);

/** A token's settings as create and update take them (each optional; the service applies the rules). */
export const TokenSettings = {
  domains: Type.Optional(DomainList),
  allowedIps: Type.Optional(IpAllowlist),
  enforcement: Type.Optional(Enforcement),
  rateLimits: Type.Optional(RateLimitList),
  quota: Type.Optional(Nullable(QuotaRule)),
  permissions: Type.Optional(Nullable(PermissionList)),
  expiresAt: Type.Optional(Nullable(Timestamp)),
};
export const Name = SafeString({ minLength: 1, maxLength: 200 });
export const Description = SafeText({ maxLength: 1000 });
export const Email = SafeString({ format: 'email', maxLength: 254 });
/** An e-mail address as typed at sign-in: any single line (the lookup finds it or not). */
export const LoginEmail = SafeString({ minLength: 1, maxLength: 254 });
export const Password = SafeText({ minLength: 1, maxLength: 256 });
/** Org names: one line, no control, invisible or text-direction characters (domain/org-name.ts). */
export const OrgName = SafeString({
  minLength: 1,
  maxLength: ORG_NAME_MAX_LENGTH,
  description: ORG_NAME_RULE,
});
export const Limit = Type.Integer({ minimum: 1, maximum: 200, default: 50 });
export const Cursor = Type.String({ maxLength: 1500, pattern: '^[A-Za-z0-9_-]+$' });

export const Org = Type.Object({
  id: Type.String(),
  slug: Type.String(),
  name: Type.String(),
  maxTokenLifetimeDays: Nullable(Type.Integer()),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});

export const Role = Type.Object({
  id: Type.String(),
  name: Type.String(),
  builtin: Type.Boolean(),
  description: Nullable(Type.String()),
  permissions: Type.Array(Type.String()),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});

export const Member = Type.Object({
  userId: Type.String(),
  email: Type.String(),
  name: Type.String(),
  roleId: Type.String(),
  roleName: Type.String(),
  activeTokens: Type.Integer(),
  joinedAt: Timestamp,
});

export const Invitation = Type.Object({
  id: Type.String(),
  email: Type.String(),
  roleId: Type.String(),
  roleName: Type.String(),
  status: Type.Union([
    Type.Literal('pending'),
    Type.Literal('accepted'),
    Type.Literal('revoked'),
    Type.Literal('expired'),
  ]),
  createdAt: Timestamp,
  expiresAt: Timestamp,
});

export const ServiceAccount = Type.Object({
  id: Type.String(),
  name: Type.String(),
  description: Nullable(Type.String()),
  roleId: Type.String(),
  roleName: Type.String(),
  status: Type.Union([Type.Literal('active'), Type.Literal('disabled')]),
  disabledAt: Nullable(Timestamp),
  activeTokens: Type.Integer(),
  rateLimits: Type.Array(RateLimitRule, {
    description: 'Rate-limit windows its tokens inherit when they have none of their own',
  }),
  contactEmail: Nullable(
    Type.String({ description: "Where its tokens' expiry notices go, besides the org's Owners" }),
  ),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});

export const TokenType = Type.Union([Type.Literal('public'), Type.Literal('private')]);

export const Token = Type.Object({
  id: Type.String(),
  name: Type.String(),
  type: TokenType,
  hint: Type.String({ description: 'Type and first/last characters, safe to display' }),
  value: Nullable(Type.String({ description: 'Public tokens only, for callers with tokens:edit (rule 11)' })),
  owner: Type.Object({
    type: Type.Union([Type.Literal('service_account'), Type.Literal('user')]),
    id: Type.String(),
    name: Type.String(),
    email: Nullable(Type.String()),
    deleted: Type.Boolean(),
  }),
  legacy: Type.Boolean({ description: 'Owned by a user: reassign it to a service account' }),
  imported: Type.Boolean(),
  status: Type.Union(
    [Type.Literal('active'), Type.Literal('suspended'), Type.Literal('revoked'), Type.Literal('expired')],
    { description: 'revoked, else expired, else suspended, else active' },
  ),
  domains: Type.Array(Type.String()),
  allowedIps: Type.Array(Type.String(), { description: 'CIDR ranges it may be used from; []: anywhere' }),
  enforcement: Enforcement,
  rateLimits: Type.Array(RateLimitRule, { description: 'Its own windows' }),
  effectiveRateLimits: Type.Array(RateLimitRule, {
    description: "The windows that apply: its own, else its service account's",
  }),
  quota: Nullable(
    Type.Object({
      limit: Type.Integer(),
      refill: Nullable(Type.Object({ interval: StringEnum(['day', 'month']), amount: Type.Integer() })),
      remaining: Type.Integer({ description: 'Credits left now (refills due are counted)' }),
      refillAt: Nullable(Timestamp),
    }),
  ),
  permissions: Nullable(Type.Array(Type.String())),
  effectivePermissions: Type.Array(Type.String()),
  expiresAt: Nullable(Timestamp),
  revokedAt: Nullable(Timestamp),
  createdAt: Timestamp,
  updatedAt: Timestamp,
  lastUsedAt: Nullable(Timestamp),
  lastUsedOrigin: Nullable(Type.String()),
  usesLast7Days: Type.Integer({
    description: 'Successful verifications over the last 7 days (UTC), flushed in batches',
  }),
  suspendedAt: Nullable(Timestamp),
  /** Reported leaked (report-leak): revoked then, with where it was found. */
  compromised: Nullable(
    Type.Object({ at: Timestamp, where: Nullable(Type.String()), note: Nullable(Type.String()) }),
  ),
  /**
   * A secret scanner found a value of it published and it was left live: a public value (public by design)
   * or one a rotation had retired (docs/secret-scanning.md). `at`: the first report; url, source: the latest.
   */
  exposed: Nullable(
    Type.Object({ at: Timestamp, url: Nullable(Type.String()), source: Nullable(Type.String()) }),
  ),
  rotatedAt: Nullable(Timestamp),
  previousSecret: Nullable(
    Type.Object(
      {
        hint: Type.String(),
        rotatedAt: Timestamp,
        retiresAt: Nullable(Timestamp),
        retiresOnFirstUse: Type.Boolean(),
      },
      { description: 'The value the last rotation replaced, while it still verifies (docs/lifecycle.md)' },
    ),
  ),
});

export const TokenDetail = Type.Intersect([
  Token,
  Type.Object({
    dailyUsage: Type.Array(Type.Object({ day: Type.String(), count: Type.Integer() })),
    reportOnlyLast7Days: Type.Array(
      Type.Object({
        code: StringEnum(['origin_required', 'origin_not_allowed', 'ip_not_allowed']),
        subject: Type.String({ description: "The origin or address ('' where there was none)" }),
        count: Type.Integer(),
      }),
      {
        description:
          'What enforcing the allowlists would have refused over the last 7 days (UTC), most first: report_only tokens',
      },
    ),
  }),
]);

export const TokenRef = Type.Object({
  id: Type.String(),
  name: Type.String(),
  type: TokenType,
  hint: Type.String(),
});

/** What happened: the closed set of audit actions, one per kind of domain event (services/events.ts). */
export const AuditAction = StringEnum(AUDIT_ACTIONS, {
  description: 'What happened: one of the closed set of audit actions (docs/api.md).',
});

export const AuditEntry = Type.Object({
  id: Type.String(),
  at: Timestamp,
  actor: Type.Object({ type: Type.String(), id: Nullable(Type.String()), label: Nullable(Type.String()) }),
  action: AuditAction,
  target: Type.Object({ type: Type.String(), id: Nullable(Type.String()) }),
  before: Type.Unknown(),
  after: Type.Unknown(),
  ip: Nullable(Type.String()),
});

export const User = Type.Object({ id: Type.String(), email: Type.String(), name: Type.String() });

/** How a reassigned token's permissions are set (issue 11): never silently wider than before. */
export const ReassignPermissions = Type.Union([Type.Literal('keep'), Type.Literal('owner_role')], {
  default: 'keep',
  description:
    "keep (default): pin the token to at most what it could do before the move, narrowed by the new owner's role. " +
    "owner_role: give it all of the new owner's role (the caller must hold it).",
});

/** The body of a reassignment, of one token or of every token a member owns: to which account, and how. */
export const ReassignBody = Type.Object(
  {
    serviceAccountId: Type.Optional(SafeString({ maxLength: 64 })),
    permissions: Type.Optional(ReassignPermissions),
  },
  { additionalProperties: false },
);

/** An event type a webhook endpoint can subscribe to (docs/webhooks.md lists what each carries). */
export const WebhookEventTypeSchema = StringEnum(WEBHOOK_EVENT_TYPES);

export const WebhookEndpoint = Type.Object({
  id: Type.String(),
  url: Type.String(),
  description: Nullable(Type.String()),
  eventTypes: Type.Array(WebhookEventTypeSchema),
  status: StringEnum(['enabled', 'disabled']),
  disabledReason: Nullable(
    StringEnum(['manual', 'failing'], {
      description: 'failing: disabled by Latchkey after failing for days',
    }),
  ),
  failingSince: Nullable(Timestamp),
  /** After a rotation, the replaced secret also signs until then. */
  previousSecretExpiresAt: Nullable(Timestamp),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});

export const WebhookEndpointWithSecret = Type.Intersect([
  WebhookEndpoint,
  Type.Object({
    secret: Type.String({
      description: 'The signing secret (Standard Webhooks `whsec_…`): shown this once, store it now',
    }),
  }),
]);

export const WebhookDelivery = Type.Object({
  id: Type.String(),
  eventId: Type.String({ description: 'The `webhook-id` header: the same on every attempt' }),
  eventType: Type.String(),
  status: StringEnum(['pending', 'delivered', 'failed'], {
    description: 'failed: every attempt of the back-off schedule failed (it can be re-sent)',
  }),
  attempts: Type.Integer(),
  createdAt: Timestamp,
  nextAttemptAt: Nullable(Timestamp),
  lastAttemptAt: Nullable(Timestamp),
  lastStatusCode: Nullable(Type.Integer()),
  lastError: Nullable(Type.String()),
});

export const WebhookAttempt = Type.Object({
  id: Type.String(),
  at: Timestamp,
  statusCode: Nullable(Type.Integer()),
  latencyMs: Type.Integer(),
  error: Nullable(Type.String()),
});
