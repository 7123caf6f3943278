import type { ServiceDeps } from './context.js';
import { invitationService } from './invitations.js';
import { memberService } from './members.js';
import { orgService } from './orgs.js';
import { passwordResetService } from './password-resets.js';
import { roleService } from './roles.js';
import { serviceAccountService } from './service-accounts.js';
import { sessionService } from './sessions.js';
import { setupService } from './setup.js';
import { tokenImportService } from './token-import.js';
import { tokenService } from './tokens.js';

/** Every use case, wired once from the same dependencies. */
export function createServices(deps: ServiceDeps) {
  const orgs = orgService(deps);
  const roles = roleService(deps);
  const serviceAccounts = serviceAccountService(deps, roles);
  const tokens = tokenService(deps);
  return {
    deps,
    orgs,
    roles,
    members: memberService(deps, roles),
    invitations: invitationService(deps, roles),
    serviceAccounts,
    tokens,
    tokenImport: tokenImportService(deps),
    sessions: sessionService(deps),
    setup: setupService(deps, orgs, serviceAccounts, tokens),
    passwordResets: passwordResetService(deps),
  };
}

export type Services = ReturnType<typeof createServices>;
