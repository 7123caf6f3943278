import type { Answer, paths } from '@latchkey/api-client';

/**
 * The answers the CLI prints, derived from the generated API contract (@latchkey/api-client): a changed
 * response schema changes these, and the CLI stops compiling where it no longer fits.
 */
type Items<T> = T extends { items: (infer I)[] } ? I : never;

export type ServiceAccount = Items<Answer<'/api/v1/orgs/{org}/service-accounts', 'get'>>;
export type Member = Items<Answer<'/api/v1/orgs/{org}/members', 'get'>>;
export type Invitation = Items<Answer<'/api/v1/orgs/{org}/invitations', 'get'>>;
export type Role = Items<Answer<'/api/v1/orgs/{org}/roles', 'get'>>;
export type Token = Items<Answer<'/api/v1/orgs/{org}/tokens', 'get'>>;
export type AuditEntry = Items<Answer<'/api/v1/orgs/{org}/audit-log', 'get'>>;

/** `{ params: { path: { org } } }` for an org-scoped call. */
export const inOrg = (org: string) => ({ params: { path: { org } } });
/** The filters of GET /orgs/{org}/tokens. */
export type TokenQuery = NonNullable<paths['/api/v1/orgs/{org}/tokens']['get']['parameters']['query']>;
export type TokenPage = Answer<'/api/v1/orgs/{org}/tokens', 'get'>;
export type AuditPage = Answer<'/api/v1/orgs/{org}/audit-log', 'get'>;
export type WebhookEndpoint = Items<Answer<'/api/v1/orgs/{org}/webhook-endpoints', 'get'>>;
export type WebhookEventType = WebhookEndpoint['eventTypes'][number];
export type WebhookDelivery = Items<Answer<'/api/v1/orgs/{org}/webhook-endpoints/{id}/deliveries', 'get'>>;
export type WebhookDeliveryPage = Answer<'/api/v1/orgs/{org}/webhook-endpoints/{id}/deliveries', 'get'>;
