import type { RateLimitRule } from '../domain/token-limits.js';
import type { RoleRecord } from '../store/queries/roles.js';
import type { OrgRecord } from '../store/queries/orgs.js';
import type { ServiceAccountView } from '../store/queries/service-accounts.js';
import type { MemberView } from '../store/queries/members.js';
import type { InvitationView } from '../store/queries/invitations.js';
import { expand } from '../domain/permissions.js';
import type { WebhookEventType } from '../domain/webhook-events.js';
import type { WebhookDeliveryRecord, WebhookEndpointRecord } from '../store/queries/webhooks.js';
import type { Static } from 'typebox';
// Types only: the answers' schemas are the contract (and the OpenAPI document), so a view that drifts from
// its schema fails to compile here, not at serialisation. No runtime import from http/.
import type * as Schemas from '../http/schemas.js';

/**
 * The public shapes of stored objects: what the API returns and what the audit log records.
 * Nothing here ever includes a token value, a token hash or a password hash. Each is typed as its schema's
 * Static type: an extra or missing field is a compile error.
 */
export const orgView = (o: OrgRecord): Static<typeof Schemas.Org> => ({
  id: o.id,
  slug: o.slug,
  name: o.name,
  maxTokenLifetimeDays: o.maxTokenLifetimeDays,
  createdAt: o.createdAt,
  updatedAt: o.updatedAt,
});

export const roleView = (r: RoleRecord): Static<typeof Schemas.Role> => ({
  id: r.id,
  name: r.name,
  builtin: r.builtin !== null,
  description: r.description,
  permissions: expand(r.permissions),
  createdAt: r.createdAt,
  updatedAt: r.updatedAt,
});

export const serviceAccountView = (s: ServiceAccountView): Static<typeof Schemas.ServiceAccount> => ({
  id: s.id,
  name: s.name,
  description: s.description,
  roleId: s.roleId,
  roleName: s.roleName,
  status: s.disabledAt === null ? ('active' as const) : ('disabled' as const),
  disabledAt: s.disabledAt,
  activeTokens: s.activeTokens,
  rateLimits: JSON.parse(s.rateLimits) as RateLimitRule[],
  contactEmail: s.contactEmail,
  createdAt: s.createdAt,
  updatedAt: s.updatedAt,
});

export const memberView = (m: MemberView): Static<typeof Schemas.Member> => ({
  userId: m.userId,
  email: m.email,
  name: m.name,
  roleId: m.roleId,
  roleName: m.roleName,
  activeTokens: m.activeTokens,
  joinedAt: m.createdAt,
});

export const invitationView = (i: InvitationView, now: string): Static<typeof Schemas.Invitation> => ({
  id: i.id,
  email: i.email,
  roleId: i.roleId,
  roleName: i.roleName,
  status: i.revokedAt
    ? ('revoked' as const)
    : i.acceptedAt
      ? ('accepted' as const)
      : i.expiresAt <= now
        ? ('expired' as const)
        : ('pending' as const),
  createdAt: i.createdAt,
  expiresAt: i.expiresAt,
});

export const webhookEndpointView = (e: WebhookEndpointRecord): Static<typeof Schemas.WebhookEndpoint> => ({
  id: e.id,
  url: e.url,
  description: e.description,
  eventTypes: e.eventTypes as WebhookEventType[],
  status: e.disabledAt === null ? ('enabled' as const) : ('disabled' as const),
  disabledReason: e.disabledReason,
  failingSince: e.failingSince,
  previousSecretExpiresAt: e.previousSecretExpiresAt,
  createdAt: e.createdAt,
  updatedAt: e.updatedAt,
});

export const webhookDeliveryView = (d: WebhookDeliveryRecord): Static<typeof Schemas.WebhookDelivery> => ({
  id: d.id,
  eventId: d.eventId,
  eventType: d.eventType,
  status: d.deliveredAt ? ('delivered' as const) : d.failedAt ? ('failed' as const) : ('pending' as const),
  attempts: Number(d.attempts),
  createdAt: d.createdAt,
  nextAttemptAt: d.deliveredAt || d.failedAt ? null : d.nextAttemptAt,
  lastAttemptAt: d.lastAttemptAt,
  lastStatusCode: d.lastStatusCode === null ? null : Number(d.lastStatusCode),
  lastError: d.lastError,
});
