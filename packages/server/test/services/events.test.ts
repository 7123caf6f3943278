import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { AUDIT_ACTIONS, BULK_CHANGE_ACTION } from '../../src/domain/audit-actions.js';
import { CHANGE_EVENT_TYPES } from '../../src/domain/webhook-events.js';
import { Value } from 'typebox/value';
import {
  auditEntryOf,
  invalidationsOf,
  webhookEventOf,
  type DomainEvent,
} from '../../src/services/events.js';
import { registerStrictFormats } from '../../src/http/schemas.js';
import { webhookEnvelope } from '../../src/http/webhook-docs.js';
import type { OrgScope } from '../../src/services/context.js';
import type { TokenSnapshot } from '../../src/services/token-view.js';

const token: TokenSnapshot = {
  id: 'tok_1',
  name: 'checkout',
  type: 'private',
  hint: 'lk_priv_…abcd',
  ownerServiceAccountId: 'sa_1',
  ownerUserId: null,
  domains: [],
  allowedIps: [],
  enforcement: 'enforce',
  rateLimits: [],
  quota: null,
  permissions: null,
  expiresAt: null,
  revokedAt: null,
  suspendedAt: null,
  compromisedAt: null,
  exposedAt: null,
  rotatedAt: null,
};
const HASH = 'f'.repeat(64);
const sa = {
  id: 'sa_1',
  name: 'shop',
  description: null,
  roleId: 'role_1',
  roleName: 'Viewer',
  status: 'active' as const,
  disabledAt: null,
  activeTokens: 1,
  rateLimits: [],
  contactEmail: null,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
};
const endpoint = {
  id: 'whe_1',
  url: 'https://hooks.example.com/latchkey',
  description: null,
  eventTypes: ['token.created' as const],
  status: 'enabled' as const,
  disabledReason: null,
  failingSince: null,
  previousSecretExpiresAt: null,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
};
const org = {
  id: 'org_1',
  slug: 'acme',
  name: 'Acme',
  maxTokenLifetimeDays: null,
  createdAt: sa.createdAt,
  updatedAt: sa.createdAt,
};
const role = {
  id: 'role_1',
  name: 'Viewer',
  builtin: true,
  description: null,
  permissions: [],
  createdAt: sa.createdAt,
  updatedAt: sa.createdAt,
};
const member = {
  userId: 'usr_1',
  email: 'a@example.com',
  name: 'A',
  roleId: 'role_1',
  roleName: 'Viewer',
  activeTokens: 0,
  joinedAt: sa.createdAt,
};
const invitation = {
  id: 'inv_1',
  email: 'a@example.com',
  roleId: 'role_1',
  roleName: 'Viewer',
  status: 'pending' as const,
  createdAt: sa.createdAt,
  expiresAt: sa.createdAt,
};
const reassigned = { ...token, effectivePermissions: ['tokens:view'] };

/** One event of every type: the table below fails to compile when a type is added and not listed. */
const ONE_OF_EACH: { [T in DomainEvent['type']]: Extract<DomainEvent, { type: T }> } = {
  'org.created': { type: 'org.created', org },
  'org.updated': { type: 'org.updated', before: org, after: { ...org, name: 'Acme 2' } },
  'role.created': { type: 'role.created', role },
  'role.updated': { type: 'role.updated', before: role, after: role },
  'role.deleted': { type: 'role.deleted', role },
  'member.joined': {
    type: 'member.joined',
    member: {
      userId: 'usr_1',
      email: 'a@example.com',
      roleId: 'role_1',
      roleName: 'Viewer',
      invitationId: 'inv_1',
    },
  },
  'member.role_changed': { type: 'member.role_changed', before: member, after: member },
  'member.removed': { type: 'member.removed', member },
  'invitation.created': { type: 'invitation.created', invitation },
  'invitation.revoked': { type: 'invitation.revoked', invitation },
  'service_account.created': { type: 'service_account.created', serviceAccount: sa },
  'service_account.updated': { type: 'service_account.updated', before: sa, after: sa },
  'service_account.disabled': { type: 'service_account.disabled', before: sa, after: sa },
  'service_account.enabled': { type: 'service_account.enabled', before: sa, after: sa },
  'service_account.deleted': {
    type: 'service_account.deleted',
    serviceAccount: sa,
    revokedTokens: ['tok_1'],
  },
  'token.created': { type: 'token.created', hash: HASH, token },
  'token.imported': { type: 'token.imported', hash: HASH, token },
  'token.updated': { type: 'token.updated', hash: HASH, before: token, after: token },
  'token.revoked': {
    type: 'token.revoked',
    hash: HASH,
    before: token,
    after: { ...token, revokedAt: sa.createdAt },
    reason: 'service_account_deleted',
  },
  'token.reassigned': {
    type: 'token.reassigned',
    hash: HASH,
    before: reassigned,
    after: { ...reassigned, permissionsMode: 'keep' },
  },
  'token.rotated': {
    type: 'token.rotated',
    hash: HASH,
    newHash: 'e'.repeat(64),
    token: { ...token, rotatedAt: sa.createdAt },
    retire: 'on_first_use',
    previousRetiresAt: sa.createdAt,
  },
  'token.secret_retired': { type: 'token.secret_retired', hash: HASH, token, reason: 'first_use' },
  'token.suspended': {
    type: 'token.suspended',
    hash: HASH,
    before: token,
    after: { ...token, suspendedAt: sa.createdAt },
  },
  'token.resumed': {
    type: 'token.resumed',
    hash: HASH,
    before: { ...token, suspendedAt: sa.createdAt },
    after: token,
  },
  'token.leak_reported': {
    type: 'token.leak_reported',
    hash: HASH,
    before: token,
    after: { ...token, revokedAt: sa.createdAt, compromisedAt: sa.createdAt },
    where: 'https://example.com/paste',
    note: null,
    source: null,
  },
  'token.exposed': {
    type: 'token.exposed',
    hash: HASH,
    before: { ...token, type: 'public' },
    after: { ...token, type: 'public', exposedAt: sa.createdAt },
    url: 'https://github.com/octo/site/blob/0123abc/index.html',
    source: 'content',
    secret: 'current',
  },
  'webhook_endpoint.created': { type: 'webhook_endpoint.created', endpoint },
  'webhook_endpoint.updated': { type: 'webhook_endpoint.updated', before: endpoint, after: endpoint },
  'webhook_endpoint.deleted': { type: 'webhook_endpoint.deleted', endpoint },
  'webhook_endpoint.secret_rotated': {
    type: 'webhook_endpoint.secret_rotated',
    endpoint,
    previousSecretExpiresAt: '2026-01-02T00:00:00.000Z',
  },
  'webhook_endpoint.disabled': {
    type: 'webhook_endpoint.disabled',
    before: endpoint,
    after: { ...endpoint, status: 'disabled', disabledReason: 'failing' },
    reason: 'failing',
  },
};
const events = Object.values(ONE_OF_EACH) as DomainEvent[];

describe('one typed event stream: the audit log and the caches read it', () => {
  it('every event type has one audit action, and every audit action comes from an event (or a bulk change)', () => {
    const actions = events.map((e) => auditEntryOf(e).action);
    expect(new Set(actions).size).toBe(events.length);
    expect([...actions, BULK_CHANGE_ACTION].sort()).toEqual([...AUDIT_ACTIONS].sort());
  });

  it('every event type can be subscribed to by a webhook endpoint, under its own name', () => {
    expect(events.map((e) => e.type).sort()).toEqual([...CHANGE_EVENT_TYPES].sort());
  });

  it("every event's webhook body is what the OpenAPI document's webhooks section says, without the hashes", () => {
    registerStrictFormats();
    const scope = {
      org: { id: 'org_1', slug: 'acme' },
      actor: { type: 'user', id: 'usr_1', label: 'owner@acme.test', userId: 'usr_1', ip: null },
      permissions: [],
    } as unknown as OrgScope;
    for (const e of events) {
      const body = webhookEventOf(e, scope, sa.createdAt);
      const schema = webhookEnvelope(e.type);
      expect(
        [...Value.Errors(schema, body)].map((x) => `${x.instancePath} ${x.message}`),
        e.type,
      ).toEqual([]);
      expect(JSON.stringify(body), e.type).not.toContain(HASH);
    }
  });

  it('an audit entry targets the object the event is about', () => {
    for (const e of events) {
      const entry = auditEntryOf(e);
      // The object is named by the event's first word, except a join, which is about the new member.
      const subject = e.type === 'member.joined' ? 'member' : e.type.split('.')[0];
      expect(entry.targetType, e.type).toBe(subject);
      expect(entry.targetId, e.type).toMatch(/^(org|role|usr|inv|sa|tok|whe)_1$/);
    }
    expect(auditEntryOf(ONE_OF_EACH['member.joined'])).toMatchObject({
      targetType: 'member',
      targetId: 'usr_1',
    });
    expect(auditEntryOf(ONE_OF_EACH['token.revoked'])).toMatchObject({
      targetType: 'token',
      targetId: 'tok_1',
    });
  });

  it("no audit entry carries a token's hash (it is there for the caches only)", () => {
    for (const e of events) expect(JSON.stringify(auditEntryOf(e)), e.type).not.toContain(HASH);
  });

  it('a revocation has one shape, whatever revoked it, and says why', () => {
    const bySelf = auditEntryOf({ ...ONE_OF_EACH['token.revoked'], reason: 'revoked' });
    const withAccount = auditEntryOf(ONE_OF_EACH['token.revoked']);
    expect(Object.keys(bySelf.after as object).sort()).toEqual(
      Object.keys(withAccount.after as object).sort(),
    );
    expect(withAccount.after).toMatchObject({ reason: 'service_account_deleted', revokedAt: sa.createdAt });
    expect(bySelf.before).toEqual(token);
  });

  it('token events invalidate the token by its hash; imports say so; creations of other objects drop nothing', () => {
    expect(invalidationsOf(ONE_OF_EACH['token.revoked'], 'org_1')).toEqual([
      { kind: 'token', tokenId: 'tok_1', hash: HASH },
    ]);
    expect(invalidationsOf(ONE_OF_EACH['token.imported'], 'org_1')).toEqual([
      { kind: 'token', tokenId: 'tok_1', hash: HASH, imported: true },
    ]);
    expect(invalidationsOf(ONE_OF_EACH['member.removed'], 'org_1')).toEqual([
      { kind: 'member', orgId: 'org_1', userId: 'usr_1' },
    ]);
    expect(invalidationsOf(ONE_OF_EACH['service_account.disabled'], 'org_1')).toEqual([
      { kind: 'service_account', serviceAccountId: 'sa_1' },
    ]);
    // An exposure is a flag for people: nothing verifies differently.
    expect(invalidationsOf(ONE_OF_EACH['token.exposed'], 'org_1')).toEqual([]);
    for (const type of [
      'org.created',
      'role.created',
      'member.joined',
      'invitation.created',
      'service_account.created',
    ] as const)
      expect(invalidationsOf(ONE_OF_EACH[type], 'org_1'), type).toEqual([]);
  });

  it('docs/api.md lists every audit action with its event', () => {
    const doc = readFileSync(fileURLToPath(new URL('../../../../docs/api.md', import.meta.url)), 'utf8');
    const section = doc.slice(doc.indexOf('## Audit actions and domain events'));
    const rows = [...section.matchAll(/^\| `([a-z_.]+)` \| `([a-z_.]+)` \|/gm)].map((m) => [m[1], m[2]]);
    expect(Object.fromEntries(rows)).toEqual(
      Object.fromEntries(events.map((e) => [auditEntryOf(e).action, e.type])),
    );
  });
});
