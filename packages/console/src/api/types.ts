import type { Answer, paths, RequestBody } from '@latchkey/api-client';

/**
 * The API's shapes as the console uses them, derived from the generated contract (@latchkey/api-client,
 * generated from /api/v1/openapi.json): a changed response schema changes these types, and the console
 * stops compiling where it no longer fits.
 */
type Items<T> = T extends { items: (infer I)[] } ? I : never;

export type Me = Answer<'/api/v1/me', 'get'>;
export type Org = Answer<'/api/v1/orgs/{org}', 'get'>;
export type Role = Items<Answer<'/api/v1/orgs/{org}/roles', 'get'>>;
export type Member = Items<Answer<'/api/v1/orgs/{org}/members', 'get'>>;
export type ServiceAccount = Items<Answer<'/api/v1/orgs/{org}/service-accounts', 'get'>>;
export type Invitation = Items<Answer<'/api/v1/orgs/{org}/invitations', 'get'>>;
export type Token = Items<Answer<'/api/v1/orgs/{org}/tokens', 'get'>>;
/** One token as its page shows it: a Token with its daily usage. */
export type TokenDetail = Answer<'/api/v1/orgs/{org}/tokens/{id}', 'get'>;
/** A token's usage analytics (GET …/tokens/{id}/usage). */
export type TokenUsageReport = Answer<'/api/v1/orgs/{org}/tokens/{id}/usage', 'get'>;
/** How a rotation retires the value it replaces. */
export type RotateBody = RequestBody<'/api/v1/orgs/{org}/tokens/{id}/rotate', 'post'>;
/** A leak report's answer: the token (revoked, compromised) and a create-token body for its replacement. */
export type LeakReport = Answer<'/api/v1/orgs/{org}/tokens/{id}/report-leak', 'post'>;
/** The hygiene report: live tokens worth attention, each with its findings and the action it suggests. */
export type TokenReport = Answer<'/api/v1/orgs/{org}/tokens/report', 'get'>;
export type ReportRow = TokenReport['items'][number];
/** Why a token is in the report (the API lists them most urgent first). */
export type HygieneReason = ReportRow['findings'][number]['reason'];
/** What the report suggests; each is also a bulk action. */
export type HygieneAction = ReportRow['action'];
/** One action on many tokens, all or nothing (POST /orgs/{org}/tokens/bulk). */
export type BulkBody = RequestBody<'/api/v1/orgs/{org}/tokens/bulk', 'post'>;
/** Each token the bulk action changed; a rotation's new values are in it, shown this once. */
export type BulkAnswer = Answer<'/api/v1/orgs/{org}/tokens/bulk', 'post'>;
/** A webhook endpoint as the API lists it (never its signing secret). */
export type WebhookEndpoint = Items<Answer<'/api/v1/orgs/{org}/webhook-endpoints', 'get'>>;
/** What an endpoint can subscribe to: the closed set of the API document. */
export type WebhookEventType = WebhookEndpoint['eventTypes'][number];
/** A created endpoint, or one whose secret was rotated: with its signing secret, in this answer only. */
export type WebhookEndpointWithSecret = Answer<'/api/v1/orgs/{org}/webhook-endpoints', 'post'>;
/** What PATCH …/webhook-endpoints/{id} changes (at least one field). */
export type WebhookEndpointChange = RequestBody<'/api/v1/orgs/{org}/webhook-endpoints/{id}', 'patch'>;
/** One delivery of an event to an endpoint, as the delivery log lists it. */
export type WebhookDelivery = Items<Answer<'/api/v1/orgs/{org}/webhook-endpoints/{id}/deliveries', 'get'>>;
/** One delivery with the body sent and every attempt (time, status code, latency, error). */
export type WebhookDeliveryDetail = Answer<
  '/api/v1/orgs/{org}/webhook-endpoints/{id}/deliveries/{deliveryId}',
  'get'
>;
/**
 * A token named in an error's `details` (member_owns_tokens, service_account_has_tokens). The document types
 * `details` as unknown, so this one shape is still written here.
 */
export interface TokenRef {
  id: string;
  name: string;
  type: string;
  hint: string;
}

type QueryOf<T> = T extends { parameters: { query?: infer Q } } ? NonNullable<Q> : never;
/** The filters of GET /orgs/{org}/tokens and GET /orgs/{org}/audit-log. */
export type TokenQuery = QueryOf<paths['/api/v1/orgs/{org}/tokens']['get']>;
export type AuditQuery = QueryOf<paths['/api/v1/orgs/{org}/audit-log']['get']>;
export type AuditEntry = Items<Answer<'/api/v1/orgs/{org}/audit-log', 'get'>>;
