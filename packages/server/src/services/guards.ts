import { AppError } from '../domain/errors.js';
import { missingFrom } from '../domain/permissions.js';
import type { OrgScope } from './context.js';

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
