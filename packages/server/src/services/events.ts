import type { Static } from 'typebox';
import { BULK_CHANGE_ACTION, type AuditAction } from '../domain/audit-actions.js';
import type { InvalidationEvent } from '../domain/invalidation-event.js';
import { newId } from '../domain/ids.js';
import type { NewAuditRecord } from '../store/queries/audit.js';
import type { Store } from '../store/store.js';
import type { OrgScope } from './context.js';
import type { TokenRecord } from '../store/queries/tokens.js';
import { tokenSnapshot, type TokenSnapshot } from './token-view.js';
import { Outbox, type WebhookEvent } from '../webhooks/outbox.js';
// Types only: payloads are the API's own shapes (the schemas are the contract).
import type * as Schemas from '../http/schemas.js';

type Org = Static<typeof Schemas.Org>;
type Role = Static<typeof Schemas.Role>;
type Member = Static<typeof Schemas.Member>;
type Invitation = Static<typeof Schemas.Invitation>;
type ServiceAccount = Static<typeof Schemas.ServiceAccount>;
type WebhookEndpoint = Static<typeof Schemas.WebhookEndpoint>;
type Reassigned = TokenSnapshot & { effectivePermissions: string[] };

/**
 * Token events name the token's hash for the caches (a value that was unknown must now be found, and the
 * entry for the old state must go). `hash` is never part of what is recorded or sent: `auditEntryOf`
 * and the webhook payloads (`webhookEventOf`) read the payload fields only.
 */
type TokenEvent = { hash: string } & (
  | { type: 'token.created'; token: TokenSnapshot }
  | { type: 'token.imported'; token: TokenSnapshot }
  | { type: 'token.updated'; before: TokenSnapshot; after: TokenSnapshot }
  | {
      type: 'token.revoked';
      before: TokenSnapshot;
      after: TokenSnapshot;
      /** Revoked by itself, or with the service account that owned it. */
      reason: 'revoked' | 'service_account_deleted';
    }
  | {
      type: 'token.rotated';
      /** The new secret's hash (`hash` is the one it replaced), for the caches. */
      newHash: string;
      token: TokenSnapshot;
      retire: 'now' | 'at' | 'on_first_use';
      /** When the replaced value stops verifying at the latest (null with retire=now: it already has). */
      previousRetiresAt: string | null;
    }
  | { type: 'token.secret_retired'; token: TokenSnapshot; reason: 'first_use' }
  | { type: 'token.suspended'; before: TokenSnapshot; after: TokenSnapshot }
  | { type: 'token.resumed'; before: TokenSnapshot; after: TokenSnapshot }
  | {
      type: 'token.leak_reported';
      before: TokenSnapshot;
      after: TokenSnapshot;
      where: string | null;
      note: string | null;
      /** Where on the scanner it was found (GitHub: `commit`, `content`, …); null when a member reported it. */
      source: string | null;
    }
  | {
      /**
       * A secret scanner found a value of the token published, and it stays live: a public value (public
       * by design), or a value a rotation has retired (docs/secret-scanning.md). Nothing verifies
       * differently afterwards.
       */
      type: 'token.exposed';
      before: TokenSnapshot;
      after: TokenSnapshot;
      url: string | null;
      source: string | null;
      /** Which of its values was found: the current one, or one a rotation replaced. */
      secret: 'current' | 'previous';
    }
  | {
      type: 'token.reassigned';
      before: Reassigned;
      after: Reassigned & { permissionsMode: 'keep' | 'owner_role' };
    }
);

/**
 * Everything that changes in an org, as one discriminated union with a fixed payload per type. Services
 * record events inside the change's transaction (`EventRecorder`), and every consumer reads this one
 * stream: the audit log (`auditEntryOf`), cache invalidation (`invalidationsOf`) and webhooks (`webhookEventOf`).
 */
export type DomainEvent =
  | { type: 'org.created'; org: Org }
  | { type: 'org.updated'; before: Org; after: Org }
  | { type: 'role.created'; role: Role }
  | { type: 'role.updated'; before: Role; after: Role }
  | { type: 'role.deleted'; role: Role }
  | {
      type: 'member.joined';
      member: { userId: string; email: string; roleId: string; roleName: string; invitationId: string };
    }
  | { type: 'member.role_changed'; before: Member; after: Member }
  | { type: 'member.removed'; member: Member }
  | { type: 'invitation.created'; invitation: Invitation }
  | { type: 'invitation.revoked'; invitation: Invitation }
  | { type: 'service_account.created'; serviceAccount: ServiceAccount }
  | { type: 'service_account.updated'; before: ServiceAccount; after: ServiceAccount }
  | { type: 'service_account.disabled'; before: ServiceAccount; after: ServiceAccount }
  | { type: 'service_account.enabled'; before: ServiceAccount; after: ServiceAccount }
  | { type: 'service_account.deleted'; serviceAccount: ServiceAccount; revokedTokens: string[] }
  | { type: 'webhook_endpoint.created'; endpoint: WebhookEndpoint }
  | { type: 'webhook_endpoint.updated'; before: WebhookEndpoint; after: WebhookEndpoint }
  | { type: 'webhook_endpoint.deleted'; endpoint: WebhookEndpoint }
  | { type: 'webhook_endpoint.secret_rotated'; endpoint: WebhookEndpoint; previousSecretExpiresAt: string }
  | {
      type: 'webhook_endpoint.disabled';
      before: WebhookEndpoint;
      after: WebhookEndpoint;
      /** Disabled by Latchkey after failing for `LATCHKEY_WEBHOOKS_DISABLE_AFTER_DAYS` days on end. */
      reason: 'failing';
    }
  | TokenEvent;

export type DomainEventType = DomainEvent['type'];

/** The audit log's form of an event: what it records, never a value, hash or password hash. */
export interface AuditEntry {
  action: AuditAction;
  targetType: 'org' | 'role' | 'member' | 'invitation' | 'service_account' | 'token' | 'webhook_endpoint';
  /** Null only for a bulk change's one entry, whose tokens are listed in it (and in audit_targets). */
  targetId: string | null;
  before?: unknown;
  after?: unknown;
}

type EventOf<T extends DomainEventType> = Extract<DomainEvent, { type: T }>;
type Target = AuditEntry['targetType'];

const entry = (
  action: AuditAction,
  targetType: Target,
  targetId: string,
  before?: unknown,
  after?: unknown,
) => ({ action, targetType, targetId, before, after }) satisfies AuditEntry;

/** Each event type's audit entry; a type added to DomainEvent and not here fails to compile. */
const AUDIT_ENTRY: { [T in DomainEventType]: (e: EventOf<T>) => AuditEntry } = {
  'org.created': (e) => entry('org.create', 'org', e.org.id, undefined, e.org),
  'org.updated': (e) => entry('org.update', 'org', e.after.id, e.before, e.after),
  'role.created': (e) => entry('role.create', 'role', e.role.id, undefined, e.role),
  'role.updated': (e) => entry('role.update', 'role', e.after.id, e.before, e.after),
  'role.deleted': (e) => entry('role.delete', 'role', e.role.id, e.role),
  'member.joined': (e) => entry('invitation.accept', 'member', e.member.userId, undefined, e.member),
  'member.role_changed': (e) => entry('member.role_change', 'member', e.after.userId, e.before, e.after),
  'member.removed': (e) => entry('member.remove', 'member', e.member.userId, e.member),
  'invitation.created': (e) =>
    entry('invitation.create', 'invitation', e.invitation.id, undefined, e.invitation),
  'invitation.revoked': (e) => entry('invitation.revoke', 'invitation', e.invitation.id, e.invitation),
  'service_account.created': (e) =>
    entry('service_account.create', 'service_account', e.serviceAccount.id, undefined, e.serviceAccount),
  'service_account.updated': (e) =>
    entry('service_account.update', 'service_account', e.after.id, e.before, e.after),
  'service_account.disabled': (e) =>
    entry('service_account.disable', 'service_account', e.after.id, e.before, e.after),
  'service_account.enabled': (e) =>
    entry('service_account.enable', 'service_account', e.after.id, e.before, e.after),
  'service_account.deleted': (e) =>
    entry('service_account.delete', 'service_account', e.serviceAccount.id, e.serviceAccount, {
      revokedTokens: e.revokedTokens,
    }),
  'webhook_endpoint.created': (e) =>
    entry('webhook_endpoint.create', 'webhook_endpoint', e.endpoint.id, undefined, e.endpoint),
  'webhook_endpoint.updated': (e) =>
    entry('webhook_endpoint.update', 'webhook_endpoint', e.after.id, e.before, e.after),
  'webhook_endpoint.deleted': (e) =>
    entry('webhook_endpoint.delete', 'webhook_endpoint', e.endpoint.id, e.endpoint),
  'webhook_endpoint.secret_rotated': (e) =>
    entry('webhook_endpoint.rotate_secret', 'webhook_endpoint', e.endpoint.id, undefined, {
      previousSecretExpiresAt: e.previousSecretExpiresAt,
    }),
  'webhook_endpoint.disabled': (e) =>
    entry('webhook_endpoint.disable', 'webhook_endpoint', e.after.id, e.before, {
      ...e.after,
      reason: e.reason,
    }),
  'token.created': (e) => entry('token.create', 'token', e.token.id, undefined, e.token),
  'token.imported': (e) => entry('token.import', 'token', e.token.id, undefined, e.token),
  'token.updated': (e) => entry('token.update', 'token', e.after.id, e.before, e.after),
  'token.revoked': (e) =>
    entry('token.revoke', 'token', e.after.id, e.before, { ...e.after, reason: e.reason }),
  'token.reassigned': (e) => entry('token.reassign', 'token', e.after.id, e.before, e.after),
  'token.rotated': (e) =>
    entry('token.rotate', 'token', e.token.id, undefined, {
      ...e.token,
      retire: e.retire,
      previousRetiresAt: e.previousRetiresAt,
    }),
  'token.secret_retired': (e) =>
    entry('token.retire_secret', 'token', e.token.id, undefined, { ...e.token, reason: e.reason }),
  'token.suspended': (e) => entry('token.suspend', 'token', e.after.id, e.before, e.after),
  'token.resumed': (e) => entry('token.resume', 'token', e.after.id, e.before, e.after),
  'token.leak_reported': (e) =>
    entry('token.report_leak', 'token', e.after.id, e.before, {
      ...e.after,
      where: e.where,
      note: e.note,
      source: e.source,
    }),
  'token.exposed': (e) =>
    entry('token.report_exposure', 'token', e.after.id, e.before, {
      ...e.after,
      url: e.url,
      source: e.source,
      secret: e.secret,
    }),
};

/** The audit log's form of an event (rule 21): the payload only, never the hash kept for the caches. */
export function auditEntryOf<T extends DomainEventType>(e: EventOf<T>): AuditEntry {
  return (AUDIT_ENTRY[e.type] as (e: EventOf<T>) => AuditEntry)(e);
}

/**
 * The common part of an event about a change to a token: its hash for the caches, and the token before and
 * after as the audit log shows them. Every such event (updated, suspended, leak reported, exposed…) has it.
 */
export const tokenChange = (before: TokenRecord, after: TokenRecord) => ({
  hash: before.hash,
  before: tokenSnapshot(before),
  after: tokenSnapshot(after),
});

/** A token's revocation at `at`: one shape, whatever revoked it (the token itself or its account's deletion). */
export const tokenRevoked = (
  t: TokenRecord,
  at: string,
  reason: 'revoked' | 'service_account_deleted',
): DomainEvent => ({
  type: 'token.revoked',
  hash: t.hash,
  before: tokenSnapshot(t),
  after: tokenSnapshot({ ...t, revokedAt: at }),
  reason,
});

/** What the verification caches must forget (or learn, for a new hash) when the event commits. */
export function invalidationsOf(e: DomainEvent, orgId: string): InvalidationEvent[] {
  switch (e.type) {
    case 'org.updated':
      return [{ kind: 'org', orgId: e.after.id }];
    case 'role.updated':
      return [{ kind: 'role', roleId: e.after.id }];
    case 'role.deleted':
      return [{ kind: 'role', roleId: e.role.id }];
    case 'member.role_changed':
      return [{ kind: 'member', orgId, userId: e.after.userId }];
    case 'member.removed':
      return [{ kind: 'member', orgId, userId: e.member.userId }];
    case 'service_account.updated':
    case 'service_account.disabled':
    case 'service_account.enabled':
      return [{ kind: 'service_account', serviceAccountId: e.after.id }];
    case 'service_account.deleted':
      return [{ kind: 'service_account', serviceAccountId: e.serviceAccount.id }];
    case 'token.created':
      // Drops nothing: every instance's presence filter learns the new hash from it.
      return [{ kind: 'token', tokenId: e.token.id, hash: e.hash }];
    case 'token.imported':
      // A value that was negatively cached as unknown must now be found.
      return [{ kind: 'token', tokenId: e.token.id, hash: e.hash, imported: true }];
    case 'token.updated':
    case 'token.revoked':
    case 'token.reassigned':
    case 'token.suspended':
    case 'token.resumed':
    case 'token.leak_reported':
      return [{ kind: 'token', tokenId: e.after.id, hash: e.hash }];
    case 'token.rotated':
      // The replaced value's entries go (the cache drops every hash it holds for a rotated token), and every
      // instance's presence filter learns the new one.
      return [
        { kind: 'token', tokenId: e.token.id, hash: e.hash },
        { kind: 'token', tokenId: e.token.id, hash: e.newHash },
      ];
    case 'token.secret_retired':
      return [{ kind: 'token', tokenId: e.token.id, hash: e.hash }];
    case 'token.exposed':
      // Only a flag for people: what the token can do, and for whom, is unchanged.
      return [];
    case 'webhook_endpoint.created':
    case 'webhook_endpoint.updated':
    case 'webhook_endpoint.deleted':
    case 'webhook_endpoint.secret_rotated':
    case 'webhook_endpoint.disabled':
    case 'org.created':
    case 'role.created':
    case 'member.joined':
    case 'invitation.created':
    case 'invitation.revoked':
    case 'service_account.created':
      return [];
  }
}

/** The audit entries of a bulk change, collected to be written as one. */
export interface AuditGroup {
  entries: AuditEntry[];
}
const groups = new WeakMap<Store, AuditGroup>();

/** The bulk change a transaction is part of, for a change that joins it (services/context.ts). */
export const groupOf = (tx: Store): AuditGroup | undefined => groups.get(tx);

/**
 * Records a transaction's events: each one's audit entry is written at once, with the transaction's
 * store (so it commits or rolls back with the change it describes, rule 21), and so is its webhook
 * outbox row per endpoint that subscribes to it (webhooks/outbox.ts: a change that rolls back sends
 * nothing, and one that commits is delivered even if the process dies next). Its invalidations are kept
 * for `inTransaction` to send when — and only if — the change commits.
 */
export class EventRecorder {
  readonly invalidations: InvalidationEvent[] = [];
  private readonly outbox: Outbox;

  /** `group`: this change is part of a bulk change whose audit entries become one (`asOneEntry`). */
  constructor(
    private readonly tx: Store,
    private group?: AuditGroup,
  ) {
    this.outbox = new Outbox(tx);
    // A change nested deeper (joining this transaction in turn) stays in the same group.
    if (group) groups.set(tx, group);
  }

  /**
   * Runs a bulk change (`fn`: many tokens, through the same use cases as one) so that the audit log gets
   * one entry for it, listing each token's change with its before and after, instead of an entry per
   * token (issue 17 item 1). Webhooks and cache invalidations stay per token. Changes that join this
   * transaction (`inTransaction(…, tx)`) are grouped too, through `groupOf`.
   */
  async asOneEntry<T>(scope: OrgScope, at: string, what: string, fn: () => Promise<T>): Promise<T> {
    const group: AuditGroup = { entries: [] };
    this.group = group;
    groups.set(this.tx, group);
    try {
      const result = await fn();
      await this.writeGroup(scope, at, what, group);
      return result;
    } finally {
      this.group = undefined;
      groups.delete(this.tx);
    }
  }

  private async writeGroup(scope: OrgScope, at: string, what: string, group: AuditGroup): Promise<void> {
    if (group.entries.length === 0) return;
    // A "bulk" change of one token is that token's change: its own entry, as if made alone.
    if (group.entries.length === 1) {
      await this.tx.audit.insertMany([auditRecord(scope, at, group.entries[0]!)]);
      return;
    }
    const record = auditRecord(scope, at, {
      action: BULK_CHANGE_ACTION,
      targetType: 'token',
      targetId: null,
      after: {
        action: what,
        count: group.entries.length,
        changes: group.entries.map((e) => ({
          action: e.action,
          id: e.targetId,
          before: e.before ?? null,
          after: e.after ?? null,
        })),
      },
    });
    await this.tx.audit.insertMany([record]);
    const ids = [...new Set(group.entries.map((e) => e.targetId).filter((id): id is string => !!id))];
    await this.tx.audit.insertTargets(scope.org.id, record.id, ids);
  }

  record(scope: OrgScope, at: string, event: DomainEvent): Promise<void> {
    return this.recordAll(scope, at, [event]);
  }

  /** Several events of one change (an import slice), in order, their audit entries in one statement. */
  async recordAll(scope: OrgScope, at: string, events: readonly DomainEvent[]): Promise<void> {
    if (events.length === 0) return;
    if (this.group) this.group.entries.push(...events.map(auditEntryOf));
    else await this.tx.audit.insertMany(events.map((e) => auditRecord(scope, at, auditEntryOf(e))));
    await this.outbox.add(
      scope.org.id,
      events.map((e) => webhookEventOf(e, scope, at)),
    );
    for (const e of events) this.invalidations.push(...invalidationsOf(e, scope.org.id));
  }
}

/** What a webhook carries for a change: the event's payload without the hashes kept for the caches. */
export function webhookEventOf(e: DomainEvent, scope: OrgScope, at: string): WebhookEvent {
  const { type, ...payload } = e;
  const data: Record<string, unknown> = { ...payload };
  delete data.hash;
  delete data.newHash;
  return {
    id: newId('event'),
    type,
    timestamp: at,
    org: { id: scope.org.id, slug: scope.org.slug },
    actor: { type: scope.actor.type, id: scope.actor.id },
    data,
  };
}

function auditRecord(scope: OrgScope, at: string, entry: AuditEntry): NewAuditRecord {
  return {
    id: newId('audit'),
    orgId: scope.org.id,
    at,
    actorType: scope.actor.type,
    actorId: scope.actor.id,
    actorLabel: scope.actor.label,
    action: entry.action,
    targetType: entry.targetType,
    targetId: entry.targetId,
    before: entry.before ?? null,
    after: entry.after ?? null,
    ip: scope.actor.ip,
  };
}
