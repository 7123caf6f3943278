/**
 * The events a webhook endpoint can subscribe to (issue 16): every change an org's audit log records,
 * under the domain event's own name (services/events.ts), and the notices nobody's request causes —
 * expiry, first use from a new origin or address, an exhausted limit. The closed set: an endpoint's
 * `eventTypes` is checked against it, and the OpenAPI document's webhooks section lists each one.
 */
export const CHANGE_EVENT_TYPES = [
  'org.created',
  'org.updated',
  'role.created',
  'role.updated',
  'role.deleted',
  'member.joined',
  'member.role_changed',
  'member.removed',
  'invitation.created',
  'invitation.revoked',
  'service_account.created',
  'service_account.updated',
  'service_account.disabled',
  'service_account.enabled',
  'service_account.deleted',
  'token.created',
  'token.imported',
  'token.updated',
  'token.revoked',
  'token.reassigned',
  'token.rotated',
  'token.secret_retired',
  'token.suspended',
  'token.resumed',
  'token.leak_reported',
  'token.exposed',
  'webhook_endpoint.created',
  'webhook_endpoint.updated',
  'webhook_endpoint.deleted',
  'webhook_endpoint.secret_rotated',
  'webhook_endpoint.disabled',
] as const;

export const NOTICE_EVENT_TYPES = [
  'token.expiring',
  'token.expired',
  'token.first_used_origin',
  'token.first_used_address',
  'token.rate_limited',
  'token.quota_exhausted',
] as const;

export const WEBHOOK_EVENT_TYPES = [...CHANGE_EVENT_TYPES, ...NOTICE_EVENT_TYPES] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** Sent by "send test event" to the one endpoint it was asked for; nobody subscribes to it. */
export const TEST_EVENT_TYPE = 'webhook.test';

/**
 * What a subscriber must be able to see to receive an event type: an event carries what its subject
 * looks like (a token's settings, a member's e-mail), so subscribing is refused without that view
 * permission — an endpoint must not become a way around the roles (rule: nobody grants what they do
 * not hold).
 */
export function viewPermissionFor(type: WebhookEventType): string {
  const resource = type.slice(0, type.indexOf('.'));
  switch (resource) {
    case 'org':
      return 'org_settings:view';
    case 'role':
      return 'roles:view';
    case 'member':
    case 'invitation':
      return 'members:view';
    case 'service_account':
      return 'service_accounts:view';
    case 'token':
      return 'tokens:view';
    default:
      return 'webhook_endpoints:view';
  }
}

export const isWebhookEventType = (t: string): t is WebhookEventType =>
  (WEBHOOK_EVENT_TYPES as readonly string[]).includes(t);

/**
 * When a delivery's next attempt comes after a failed one (Svix's schedule): 5 s, 5 min, 30 min, 2 h, 5 h,
 * 10 h, 10 h — eight attempts over about 27.6 hours, then it is given up on (and can be re-sent).
 */
export const RETRY_DELAYS_SECONDS = [5, 300, 1800, 7200, 18_000, 36_000, 36_000] as const;

/** Seconds until the attempt after `attempts` failed ones; null when there is none left. */
export const retryDelaySeconds = (attempts: number): number | null =>
  attempts >= 1 && attempts <= RETRY_DELAYS_SECONDS.length ? RETRY_DELAYS_SECONDS[attempts - 1]! : null;
