import { auditService } from './audit.js';
import type { ServiceDeps } from './context.js';
import { invitationService } from './invitations.js';
import { memberService } from './members.js';
import { orgService } from './orgs.js';
import { passwordResetService } from './password-resets.js';
import { roleService } from './roles.js';
import { secretScanningService } from './secret-scanning.js';
import { serviceAccountService } from './service-accounts.js';
import { sessionService } from './sessions.js';
import { setupService } from './setup.js';
import { tokenHygiene } from './token-hygiene.js';
import { tokenImportService } from './token-import.js';
import { tokenLifecycle } from './token-lifecycle.js';
import { tokenReassignment } from './token-reassign.js';
import { tokenService } from './tokens.js';
import { tokenUsageService } from './token-usage.js';
import { userService } from './users.js';
import { webhookEndpointService } from './webhook-endpoints.js';

/**
 * Every use case, wired once from the same dependencies. The HTTP layer calls these only, never the
 * store (test/layers.test.ts checks it); `deps` is here for the composition root and the CLI.
 *
 * Passing an outer transaction — one convention: a method that writes takes the caller's transaction as
 * its last, optional parameter `outer?: Store` and runs its change through
 * `inTransaction(deps, fn, outer)` (services/context.ts). Without it the method opens and commits its own
 * transaction; with it the change joins the caller's, which commits (and publishes the invalidation
 * events) — so `setup.bootstrap` creates a user, an org, a service account and a token in one
 * transaction: `users.create(input, tx)`, `orgs.create(input, tx)`, `serviceAccounts.create(scope, input,
 * tx)`, `tokens.create(scope, input, tx)`.
 *
 * A unique violation reaches services as the store's one `ConflictError` (store/conflict.ts, either
 * dialect); a service says what it means with `onConflict(write, () => new AppError(...))`.
 */
export function createServices(deps: ServiceDeps) {
  const orgs = orgService(deps);
  const users = userService(deps);
  const roles = roleService(deps);
  const serviceAccounts = serviceAccountService(deps, roles);
  const reassignment = tokenReassignment(deps);
  const tokens = tokenService(deps, reassignment);
  const lifecycle = tokenLifecycle(deps);
  return {
    deps,
    orgs,
    roles,
    members: memberService(deps, roles, reassignment),
    invitations: invitationService(deps, roles, users),
    serviceAccounts,
    tokens,
    tokenImport: tokenImportService(deps),
    tokenLifecycle: lifecycle,
    tokenUsage: tokenUsageService(deps),
    tokenHygiene: tokenHygiene(deps, tokens, lifecycle),
    secretScanning: secretScanningService(deps),
    sessions: sessionService(deps),
    users,
    audit: auditService(deps),
    webhookEndpoints: webhookEndpointService(deps),
    /** The readiness probe's database round trip. */
    health: { databaseReachable: () => deps.store.ping() },
    setup: setupService(deps, orgs, serviceAccounts, tokens, users),
    passwordResets: passwordResetService(deps),
  };
}

export type Services = ReturnType<typeof createServices>;
