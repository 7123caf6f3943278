import type { AuditAction } from '../domain/audit-actions.js';
import type { Generated } from 'kysely';

/**
 * The database as Kysely sees it. Columns are snake_case in SQL and camelCase here (CamelCasePlugin).
 * Timestamps are ISO-8601 UTC strings on both dialects (PostgreSQL `timestamptz` is parsed back to ISO
 * by the pg type parser in dialect.ts). JSON lists are stored as text. There are no boolean columns:
 * states are nullable timestamps (`revokedAt`, `disabledAt`, …), which also tell *when*.
 */
export interface OrgsTable {
  id: string;
  slug: string;
  name: string;
  maxTokenLifetimeDays: number | null;
  createdAt: string;
  updatedAt: string;
}

export interface UsersTable {
  id: string;
  email: string;
  name: string;
  passwordHash: string;
  createdAt: string;
  updatedAt: string;
}

export interface RolesTable {
  id: string;
  orgId: string;
  name: string;
  nameKey: string;
  builtin: string | null;
  description: string | null;
  permissions: string;
  createdAt: string;
  updatedAt: string;
  /** Set when a custom role is deleted: its row stays for the history that names it (see roles queries). */
  deletedAt: string | null;
}

export interface MembersTable {
  orgId: string;
  userId: string;
  roleId: string;
  createdAt: string;
  updatedAt: string;
}

export interface InvitationsTable {
  id: string;
  orgId: string;
  email: string;
  roleId: string;
  tokenHash: string;
  invitedBy: string | null;
  createdAt: string;
  expiresAt: string;
  acceptedAt: string | null;
  acceptedBy: string | null;
  revokedAt: string | null;
}

export interface ServiceAccountsTable {
  id: string;
  orgId: string;
  name: string;
  nameKey: string;
  description: string | null;
  roleId: string;
  disabledAt: string | null;
  deletedAt: string | null;
  createdAt: string;
  updatedAt: string;
  /** JSON rate-limit windows its tokens without windows of their own inherit; `[]`: none (0007). */
  rateLimits: Generated<string>;
  /** Where its tokens' expiry notices go besides the org's Owners (0009). */
  contactEmail: Generated<string | null>;
}

export interface TokensTable {
  id: string;
  orgId: string;
  name: string;
  type: 'public' | 'private';
  hash: string;
  hint: string;
  /** Only public tokens keep their value (rule 11); private tokens are hash-only. */
  publicValue: string | null;
  ownerServiceAccountId: string | null;
  ownerUserId: string | null;
  permissions: string | null;
  domains: string;
  expiresAt: string | null;
  revokedAt: string | null;
  importedAt: string | null;
  createdByType: string;
  createdById: string | null;
  createdAt: string;
  updatedAt: string;
  lastUsedAt: string | null;
  lastUsedOrigin: string | null;
  /** Refused with token_suspended until resumed; nothing else is lost (0005). */
  suspendedAt: string | null;
  /** Reported leaked (report-leak): revoked at that moment, with where and a note. */
  compromisedAt: string | null;
  leakWhere: string | null;
  leakNote: string | null;
  /**
   * A secret scanner found a value of this token published and it was not revoked for it: a public value
   * (public by design), or a value a rotation retired (docs/secret-scanning.md). The first time; the place
   * and the scanner's source are the latest report's.
   */
  exposedAt: string | null;
  exposedUrl: string | null;
  exposedSource: string | null;
  /** When the secret last changed (rotate). */
  rotatedAt: string | null;
  /** JSON list of CIDR ranges the token may be used from; `[]` (the default): anywhere (0006). */
  allowedIps: Generated<string>;
  /** Whether the origin and IP allowlists refuse (`enforce`, the default) or only warn and count. */
  enforcement: Generated<'enforce' | 'report_only'>;
  /** JSON list of named rate-limit windows (domain/token-limits.ts); `[]` (the default): none (0007). */
  rateLimits: Generated<string>;
  /** JSON quota rule (limit, refill) or null: no quota. The balance is in token_quotas (0007). */
  quota: Generated<string | null>;
}

/** A token's quota balance (0007): one row per token with a quota. */
export interface TokenQuotasTable {
  tokenId: string;
  remaining: number;
  refilledAt: string;
}

/** The secrets a token had before a rotation (0005): at most one still verifying. */
export interface TokenPreviousSecretsTable {
  hash: string;
  tokenId: string;
  hint: string;
  rotatedAt: string;
  retiresAt: string | null;
  retireOnFirstUse: number;
  retiredAt: string | null;
}

export interface SessionsTable {
  idHash: string;
  userId: string;
  createdAt: string;
  expiresAt: string;
  lastSeenAt: string;
}

/** The objects a grouped (bulk) audit entry changed, besides its own target: one row per object. */
export interface AuditTargetsTable {
  orgId: string;
  targetId: string;
  auditId: string;
}

export interface AuditLogTable {
  seq: Generated<number>;
  id: string;
  orgId: string;
  at: string;
  actorType: string;
  actorId: string | null;
  actorLabel: string | null;
  /** One of the closed set (domain/audit-actions.ts); the column is text. */
  action: AuditAction;
  targetType: string;
  targetId: string | null;
  before: string | null;
  after: string | null;
  ip: string | null;
}

export interface TokenUsageDailyTable {
  tokenId: string;
  /** YYYY-MM-DD, UTC. */
  day: string;
  count: number;
}

/** What report-only allowlists would have refused (0006), counted like usage. */
export interface TokenUsageWarningsTable {
  tokenId: string;
  day: string;
  code: 'origin_required' | 'origin_not_allowed' | 'ip_not_allowed';
  subject: string;
  count: number;
}

/** Refusals per token, day and code (0008); successes are token_usage_daily's. */
export interface TokenUsageCodesTable {
  tokenId: string;
  day: string;
  code: string;
  count: number;
}

/** Where a token was used from (0008): its most recent origins and addresses. */
export interface TokenUsageSourcesTable {
  tokenId: string;
  kind: 'origin' | 'address';
  value: string;
  firstSeen: string;
  lastSeen: string;
  count: number;
}

export interface WebhookEndpointsTable {
  id: string;
  orgId: string;
  url: string;
  description: string | null;
  /** JSON list of event types. */
  eventTypes: string;
  secret: string;
  previousSecret: string | null;
  previousSecretExpiresAt: string | null;
  disabledAt: string | null;
  disabledReason: 'manual' | 'failing' | null;
  failingSince: string | null;
  createdAt: string;
  updatedAt: string;
  deletedAt: string | null;
}

export interface WebhookDeliveriesTable {
  id: string;
  orgId: string;
  endpointId: string;
  eventId: string;
  eventType: string;
  payload: string;
  createdAt: string;
  attempts: Generated<number>;
  nextAttemptAt: string;
  lockedUntil: string | null;
  deliveredAt: string | null;
  failedAt: string | null;
  lastAttemptAt: string | null;
  lastStatusCode: number | null;
  lastError: string | null;
}

export interface WebhookAttemptsTable {
  id: string;
  deliveryId: string;
  at: string;
  statusCode: number | null;
  latencyMs: number;
  error: string | null;
}

export interface TokenExpiryNoticesTable {
  tokenId: string;
  expiresAt: string;
  days: number;
  sentAt: string;
}

export interface TokenKnownSourcesTable {
  tokenId: string;
  kind: 'origin' | 'address';
  value: string;
  firstSeen: string;
  lastSeen: string;
  notifiedAt: string | null;
}

export interface TokenLimitNoticesTable {
  tokenId: string;
  windowKey: string;
  sentAt: string;
}

export interface SettingsTable {
  key: string;
  value: string;
}

export interface Database {
  orgs: OrgsTable;
  users: UsersTable;
  roles: RolesTable;
  members: MembersTable;
  invitations: InvitationsTable;
  serviceAccounts: ServiceAccountsTable;
  tokens: TokensTable;
  tokenPreviousSecrets: TokenPreviousSecretsTable;
  sessions: SessionsTable;
  auditLog: AuditLogTable;
  auditTargets: AuditTargetsTable;
  tokenUsageDaily: TokenUsageDailyTable;
  tokenUsageWarnings: TokenUsageWarningsTable;
  tokenQuotas: TokenQuotasTable;
  tokenUsageCodes: TokenUsageCodesTable;
  tokenUsageSources: TokenUsageSourcesTable;
  settings: SettingsTable;
  webhookEndpoints: WebhookEndpointsTable;
  webhookDeliveries: WebhookDeliveriesTable;
  webhookAttempts: WebhookAttemptsTable;
  tokenExpiryNotices: TokenExpiryNoticesTable;
  tokenKnownSources: TokenKnownSourcesTable;
  tokenLimitNotices: TokenLimitNoticesTable;
}
