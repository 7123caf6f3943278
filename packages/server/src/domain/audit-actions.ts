/**
 * Every action the audit log records: the closed set, one per kind of domain event
 * (services/events.ts maps each event to one). The names are the audit log's public contract, kept
 * as they were before events existed, so filters and exports written against them keep working.
 */
export const AUDIT_ACTIONS = [
  'org.create',
  'org.update',
  'role.create',
  'role.update',
  'role.delete',
  'member.role_change',
  'member.remove',
  'invitation.create',
  'invitation.revoke',
  'invitation.accept',
  'service_account.create',
  'service_account.update',
  'service_account.disable',
  'service_account.enable',
  'service_account.delete',
  'token.create',
  'token.import',
  'token.update',
  'token.revoke',
  'token.reassign',
  'token.rotate',
  'token.retire_secret',
  'token.suspend',
  'token.resume',
  'token.report_leak',
  'token.report_exposure',
  'token.bulk_change',
  'webhook_endpoint.create',
  'webhook_endpoint.update',
  'webhook_endpoint.delete',
  'webhook_endpoint.rotate_secret',
  'webhook_endpoint.disable',
] as const;

export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** The one action written for many events, not one: a bulk change's single entry (EventRecorder.asOneEntry). */
export const BULK_CHANGE_ACTION = 'token.bulk_change' satisfies AuditAction;
