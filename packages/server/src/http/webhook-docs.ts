import type { FastifyDynamicSwaggerOptions } from '@fastify/swagger';
import Type, { type TSchema } from 'typebox';
import { TEST_EVENT_TYPE, WEBHOOK_EVENT_TYPES, type WebhookEventType } from '../domain/webhook-events.js';
import {
  Invitation,
  Member,
  Nullable,
  Org,
  QuotaRule,
  RateLimitRule,
  Role,
  ServiceAccount,
  StringEnum,
  Timestamp,
  WebhookEndpoint,
} from './schemas.js';

/**
 * The webhooks section of the OpenAPI document (3.1 `webhooks`): one entry per event type, its body the
 * Standard Webhooks envelope with that type's `data`. The same schemas check, in the tests, every event
 * Latchkey builds (test/services/events.test.ts) and every one a receiver gets (test/http/webhooks.test.ts).
 */

/** A token as events carry it: its settings and states, never its value or hash. */
const SNAPSHOT_FIELDS = {
  id: Type.String(),
  name: Type.String(),
  type: StringEnum(['public', 'private']),
  hint: Type.String(),
  ownerServiceAccountId: Nullable(Type.String()),
  ownerUserId: Nullable(Type.String()),
  domains: Type.Array(Type.String()),
  allowedIps: Type.Array(Type.String()),
  enforcement: StringEnum(['enforce', 'report_only']),
  rateLimits: Type.Array(RateLimitRule),
  quota: Nullable(QuotaRule),
  permissions: Nullable(Type.Array(Type.String())),
  expiresAt: Nullable(Timestamp),
  revokedAt: Nullable(Timestamp),
  suspendedAt: Nullable(Timestamp),
  compromisedAt: Nullable(Timestamp),
  exposedAt: Nullable(Timestamp),
  rotatedAt: Nullable(Timestamp),
};
export const TokenSnapshot = Type.Object(SNAPSHOT_FIELDS, { additionalProperties: false });

const Reassigned = { ...SNAPSHOT_FIELDS, effectivePermissions: Type.Array(Type.String()) };
const change = <T extends TSchema>(t: T) => Type.Object({ before: t, after: t });
const tokenChange = change(TokenSnapshot);
const RateLimitWindow = Type.Object({
  name: Type.String(),
  limit: Type.Integer(),
  remaining: Type.Integer(),
  resetAt: Timestamp,
});
const QuotaState = Type.Object({
  limit: Type.Integer(),
  remaining: Type.Integer(),
  refillAt: Nullable(Timestamp),
});

/** Each event type's `data`. */
export const WEBHOOK_DATA: Record<WebhookEventType | typeof TEST_EVENT_TYPE, TSchema> = {
  'org.created': Type.Object({ org: Org }),
  'org.updated': change(Org),
  'role.created': Type.Object({ role: Role }),
  'role.updated': change(Role),
  'role.deleted': Type.Object({ role: Role }),
  'member.joined': Type.Object({
    member: Type.Object({
      userId: Type.String(),
      email: Type.String(),
      roleId: Type.String(),
      roleName: Type.String(),
      invitationId: Type.String(),
    }),
  }),
  'member.role_changed': change(Member),
  'member.removed': Type.Object({ member: Member }),
  'invitation.created': Type.Object({ invitation: Invitation }),
  'invitation.revoked': Type.Object({ invitation: Invitation }),
  'service_account.created': Type.Object({ serviceAccount: ServiceAccount }),
  'service_account.updated': change(ServiceAccount),
  'service_account.disabled': change(ServiceAccount),
  'service_account.enabled': change(ServiceAccount),
  'service_account.deleted': Type.Object({
    serviceAccount: ServiceAccount,
    revokedTokens: Type.Array(Type.String(), { description: 'Its tokens, revoked with it' }),
  }),
  'token.created': Type.Object({ token: TokenSnapshot }),
  'token.imported': Type.Object({ token: TokenSnapshot }),
  'token.updated': tokenChange,
  'token.revoked': Type.Intersect([
    tokenChange,
    Type.Object({ reason: StringEnum(['revoked', 'service_account_deleted']) }),
  ]),
  'token.reassigned': Type.Object({
    before: Type.Object(Reassigned, { additionalProperties: false }),
    after: Type.Object(
      { ...Reassigned, permissionsMode: StringEnum(['keep', 'owner_role']) },
      { additionalProperties: false },
    ),
  }),
  'token.rotated': Type.Object({
    token: TokenSnapshot,
    retire: StringEnum(['now', 'at', 'on_first_use']),
    previousRetiresAt: Nullable(Timestamp),
  }),
  'token.secret_retired': Type.Object({ token: TokenSnapshot, reason: StringEnum(['first_use']) }),
  'token.suspended': tokenChange,
  'token.resumed': tokenChange,
  'token.leak_reported': Type.Intersect([
    tokenChange,
    Type.Object({
      where: Nullable(Type.String()),
      note: Nullable(Type.String()),
      source: Nullable(Type.String()),
    }),
  ]),
  'token.exposed': Type.Intersect([
    tokenChange,
    Type.Object({
      url: Nullable(Type.String()),
      source: Nullable(Type.String()),
      secret: StringEnum(['current', 'previous']),
    }),
  ]),
  'token.expiring': Type.Object({
    token: TokenSnapshot,
    expiresAt: Timestamp,
    daysLeft: Type.Integer({ description: 'The threshold reached (LATCHKEY_EXPIRY_NOTICE_DAYS)' }),
  }),
  'token.expired': Type.Object({ token: TokenSnapshot, expiredAt: Timestamp }),
  'token.first_used_origin': Type.Object({
    token: TokenSnapshot,
    origin: Type.String(),
    firstSeen: Timestamp,
  }),
  'token.first_used_address': Type.Object({
    token: TokenSnapshot,
    address: Type.String(),
    firstSeen: Timestamp,
  }),
  'token.rate_limited': Type.Object({ token: TokenSnapshot, window: RateLimitWindow }),
  'token.quota_exhausted': Type.Object({ token: TokenSnapshot, quota: QuotaState }),
  'webhook_endpoint.created': Type.Object({ endpoint: WebhookEndpoint }),
  'webhook_endpoint.updated': change(WebhookEndpoint),
  'webhook_endpoint.deleted': Type.Object({ endpoint: WebhookEndpoint }),
  'webhook_endpoint.secret_rotated': Type.Object({
    endpoint: WebhookEndpoint,
    previousSecretExpiresAt: Timestamp,
  }),
  'webhook_endpoint.disabled': Type.Intersect([
    change(WebhookEndpoint),
    Type.Object({ reason: StringEnum(['failing']) }),
  ]),
  [TEST_EVENT_TYPE]: Type.Object({ message: Type.String() }),
};

const SUMMARY: Partial<Record<string, string>> = {
  'token.expiring': "A token's expiry is LATCHKEY_EXPIRY_NOTICE_DAYS away (each threshold once)",
  'token.expired': 'A token expired (within the last day)',
  'token.first_used_origin': 'A token was used from an origin for the first time',
  'token.first_used_address': 'A token was used from a client address for the first time',
  'token.rate_limited': 'A rate-limit window of a token was exhausted (once per window)',
  'token.quota_exhausted': "A token's quota ran out (once until its next refill)",
  [TEST_EVENT_TYPE]: 'Sent by "send test event" to one endpoint',
};

/** The envelope every webhook body has, for one event type. */
export const webhookEnvelope = (type: string) =>
  Type.Object({
    id: Type.String({ description: 'The event id, also the webhook-id header: de-duplicate on it' }),
    type: Type.Literal(type),
    timestamp: Timestamp,
    org: Type.Object({ id: Type.String(), slug: Type.String() }),
    actor: Nullable(
      Type.Object(
        {
          type: StringEnum(['user', 'token', 'system']),
          id: Nullable(Type.String({ description: 'usr_… or tok_…; null for the system' })),
        },
        { additionalProperties: false, description: 'Who caused it; null for notices' },
      ),
    ),
    data: WEBHOOK_DATA[type as WebhookEventType]!,
  });

/** The OpenAPI `webhooks` object. */
type OpenApiOption = NonNullable<FastifyDynamicSwaggerOptions['openapi']>;
type Webhooks = NonNullable<Extract<OpenApiOption, { webhooks?: unknown }>['webhooks']>;

export function openApiWebhooks(): Webhooks {
  const out: Record<string, unknown> = {};
  for (const type of [...WEBHOOK_EVENT_TYPES, TEST_EVENT_TYPE]) {
    out[type] = {
      post: {
        summary: SUMMARY[type] ?? `The change ${type}, as the audit log records it`,
        description:
          'Standard Webhooks: verify `webhook-signature` over `webhook-id.webhook-timestamp.body` with the endpoint secret (docs/webhooks.md). Answer 2xx within LATCHKEY_WEBHOOK_TIMEOUT_SECONDS; anything else is retried.',
        parameters: ['webhook-id', 'webhook-timestamp', 'webhook-signature'].map((name) => ({
          name,
          in: 'header',
          required: true,
          schema: { type: 'string' },
        })),
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: JSON.parse(JSON.stringify(webhookEnvelope(type))) as unknown,
            },
          },
        },
        responses: { '2XX': { description: 'Received' } },
      },
    };
  }
  // Plain JSON Schema from TypeBox: the OpenAPI typings cannot follow it through JSON.
  return out as Webhooks;
}
