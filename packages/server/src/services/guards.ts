import { AppError } from '../domain/errors.js';
import { missingFrom } from '../domain/permissions.js';
import type { OrgScope } from './context.js';

/**
 * A value a rotation replaced still authenticates until it retires, but may not change its own token —
 * rotate, revoke, suspend, edit, reassign, report, alone or in a batch: a leaked old value must not take
 * the token from whoever holds the new one. Every use case that changes a token calls this.
 */
export function assertNotReplacedValue(scope: OrgScope, tokenId: string): void {
  if (scope.actor.type === 'token' && scope.actor.replacedValue === true && scope.actor.id === tokenId)
    throw new AppError(
      'forbidden',
      'This is the value the last rotation replaced: it cannot change its own token. Use the current value.',
    );
}

/**
 * Nobody grants what they do not hold: a role, a member's role, a service account's role or a
 * token's permissions may only include permissions the acting scope has itself.
 */
export function assertNoEscalation(scope: OrgScope, wanted: readonly string[], what: string): void {
  const missing = missingFrom(scope.permissions, wanted);
  if (missing.length > 0) {
    throw new AppError(
      'permission_escalation',
      `You cannot ${what}: it grants permissions you do not hold.`,
      { missing },
    );
  }
}
