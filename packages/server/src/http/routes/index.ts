import type { RouteModule } from '../route-context.js';
import { auditLogRoute } from './audit-log.js';
import { auditLogExportRoute } from './audit-log-export.js';
import { authLoginRoute } from './auth-login.js';
import { authLogoutRoute } from './auth-logout.js';
import { authPasswordResetRoute } from './auth-password-reset.js';
import { authPasswordResetCompleteRoute } from './auth-password-reset-complete.js';
import { healthRoutes } from './health.js';
import { invitationsAcceptRoute } from './invitations-accept.js';
import { invitationsLookupRoute } from './invitations-lookup.js';
import { invitationsCreateRoute } from './invitations-create.js';
import { invitationsListRoute } from './invitations-list.js';
import { invitationsRevokeRoute } from './invitations-revoke.js';
import { meRoute } from './me.js';
import { mePasswordRoute } from './me-password.js';
import { membersListRoute } from './members-list.js';
import { membersRemoveRoute } from './members-remove.js';
import { membersUpdateRoute } from './members-update.js';
import { membersReassignTokensRoute } from './members-reassign-tokens.js';
import { orgsCreateRoute } from './orgs-create.js';
import { orgsGetRoute } from './orgs-get.js';
import { orgsListRoute } from './orgs-list.js';
import { orgsUpdateRoute } from './orgs-update.js';
import { rolesCreateRoute } from './roles-create.js';
import { rolesDeleteRoute } from './roles-delete.js';
import { rolesListRoute } from './roles-list.js';
import { rolesUpdateRoute } from './roles-update.js';
import { serviceAccountsCreateRoute } from './service-accounts-create.js';
import { serviceAccountsDeleteRoute } from './service-accounts-delete.js';
import { serviceAccountsGetRoute } from './service-accounts-get.js';
import { serviceAccountsListRoute } from './service-accounts-list.js';
import { serviceAccountsSuspendRoutes, serviceAccountsUpdateRoute } from './service-accounts-update.js';
import { setupCompleteRoute, setupStatusRoute } from './setup.js';
import { tokensCreateRoute } from './tokens-create.js';
import { tokensFindRoute } from './tokens-find.js';
import { tokensGetRoute } from './tokens-get.js';
import { tokensUsageRoute } from './tokens-usage.js';
import { tokensBulkRoute, tokensReportRoute } from './tokens-hygiene.js';
import { tokensImportRoute } from './tokens-import.js';
import { tokensListRoute } from './tokens-list.js';
import { tokensReassignRoute } from './tokens-reassign.js';
import { tokensRevokeRoute } from './tokens-revoke.js';
import { tokensUpdateRoute } from './tokens-update.js';
import { tokensReportLeakRoute, tokensRotateRoute, tokensSuspendRoutes } from './tokens-lifecycle.js';
import { verifyRoute } from './verify.js';
import { forwardAuthRoute } from './forward-auth.js';
import { metricsRoute } from './metrics.js';
import { secretScanningRoute } from './secret-scanning.js';
import { webhookEndpointsRoutes } from './webhook-endpoints.js';
import { webhookDeliveriesRoutes } from './webhook-deliveries.js';

/**
 * The verification hot path and operations endpoints: registered outside the management scope, so
 * no cookie parsing, session or CSRF hook runs on them.
 */
export const HOT_ROUTES: readonly RouteModule[] = [healthRoutes, verifyRoute, forwardAuthRoute, metricsRoute];

/**
 * Machine callers that prove themselves with a signature over the body, not a session or token (the
 * secret-scanning receiver): outside the management scope too, each in its own scope with its own parser.
 */
export const SIGNED_ROUTES: readonly RouteModule[] = [secretScanningRoute];

/** The management API, one module per endpoint, behind the session/token/CSRF hooks. */
export const MANAGEMENT_ROUTES: readonly RouteModule[] = [
  setupStatusRoute,
  setupCompleteRoute,
  authLoginRoute,
  authLogoutRoute,
  authPasswordResetRoute,
  authPasswordResetCompleteRoute,
  meRoute,
  mePasswordRoute,
  orgsListRoute,
  orgsCreateRoute,
  orgsGetRoute,
  orgsUpdateRoute,
  membersListRoute,
  membersUpdateRoute,
  membersRemoveRoute,
  membersReassignTokensRoute,
  invitationsListRoute,
  invitationsCreateRoute,
  invitationsRevokeRoute,
  invitationsAcceptRoute,
  invitationsLookupRoute,
  rolesListRoute,
  rolesCreateRoute,
  rolesUpdateRoute,
  rolesDeleteRoute,
  serviceAccountsListRoute,
  serviceAccountsCreateRoute,
  serviceAccountsGetRoute,
  serviceAccountsUpdateRoute,
  serviceAccountsSuspendRoutes,
  serviceAccountsDeleteRoute,
  tokensListRoute,
  tokensReportRoute,
  tokensBulkRoute,
  tokensCreateRoute,
  tokensImportRoute,
  tokensFindRoute,
  tokensGetRoute,
  tokensUsageRoute,
  tokensUpdateRoute,
  tokensRevokeRoute,
  tokensRotateRoute,
  tokensSuspendRoutes,
  tokensReportLeakRoute,
  tokensReassignRoute,
  auditLogRoute,
  auditLogExportRoute,
  webhookEndpointsRoutes,
  webhookDeliveriesRoutes,
];
