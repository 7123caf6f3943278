import { newId } from '../domain/ids.js';
import { hashToken, tokenHint, type TokenType } from '../domain/token-format.js';
import type { TokenRecord } from '../store/queries/tokens.js';
import type { QuotaRule, RateLimitRule } from '../domain/token-limits.js';
import type { Actor } from './context.js';

/** What a stored token knows of its secret: never the private value itself. */
export interface TokenSecret {
  hash: string;
  hint: string;
  /** Public values are published in web pages anyway and may be shown again (rule 11). */
  publicValue: string | null;
}

/** The stored form of a full value: its hash, its display hint and, for a public token, the value. */
export function secretOf(value: string, type: TokenType, prefix: string): TokenSecret {
  return {
    hash: hashToken(value),
    hint: tokenHint(value, type, prefix),
    publicValue: type === 'public' ? value : null,
  };
}

/** Everything a new token is made of, already checked against the rules by its use case. */
export interface TokenDraft {
  orgId: string;
  name: string;
  type: TokenType;
  /** Tokens are issued to service accounts; only an import of legacy tokens names a person. */
  owner: { serviceAccountId: string } | { userId: string };
  domains: string[];
  /** CIDR ranges, normalised (domain/ip-allowlist.ts); empty: anywhere. */
  allowedIps?: string[];
  enforcement?: 'enforce' | 'report_only';
  /** Checked by domain/token-limits.ts; absent: none. */
  rateLimits?: RateLimitRule[];
  quota?: QuotaRule | null;
  permissions: string[] | null;
  expiresAt: string | null;
  createdBy: Pick<Actor, 'type' | 'id'>;
  at: string;
  /** Imported tokens keep the value they had elsewhere and say so. */
  imported?: boolean;
}

/**
 * The one place a new token record is put together — by create, import and (soon) rotate — so a field
 * added to tokens is set for every way a token comes to be.
 */
export function buildToken(draft: TokenDraft, secret: TokenSecret, id: string = newId('token')): TokenRecord {
  return {
    id,
    orgId: draft.orgId,
    name: draft.name,
    type: draft.type,
    hash: secret.hash,
    hint: secret.hint,
    publicValue: draft.type === 'public' ? secret.publicValue : null,
    ownerServiceAccountId: 'serviceAccountId' in draft.owner ? draft.owner.serviceAccountId : null,
    ownerUserId: 'userId' in draft.owner ? draft.owner.userId : null,
    permissions: draft.permissions,
    domains: draft.domains,
    allowedIps: draft.allowedIps ?? [],
    enforcement: draft.enforcement ?? 'enforce',
    rateLimits: draft.rateLimits ?? [],
    quota: draft.quota ?? null,
    expiresAt: draft.expiresAt,
    revokedAt: null,
    importedAt: draft.imported ? draft.at : null,
    createdByType: draft.createdBy.type,
    createdById: draft.createdBy.id,
    createdAt: draft.at,
    updatedAt: draft.at,
    lastUsedAt: null,
    lastUsedOrigin: null,
    suspendedAt: null,
    compromisedAt: null,
    leakWhere: null,
    leakNote: null,
    exposedAt: null,
    exposedUrl: null,
    exposedSource: null,
    rotatedAt: null,
  };
}
