import {
  createRootRoute,
  createRoute,
  createRouter,
  lazyRouteComponent,
  Navigate,
  Outlet,
  redirect,
} from '@tanstack/react-router';
import { ApiError } from './api/client';
import { meQuery } from './api/queries';
import type { Me } from './api/types';
import { OrgLayout } from './components/layout';
import { Loading } from './components/states';
import type { MembersTabName } from './pages/members/members-page';
import { tokenFiltersFromSearch } from './pages/tokens/token-filters';
import { queryClient } from './query-client';

// Each page is its own chunk, loaded when its route is first visited (the first paint needs only the shell).
const AcceptInvitePage = lazyRouteComponent(
  () => import('./pages/auth/accept-invite-page'),
  'AcceptInvitePage',
);
const LoginPage = lazyRouteComponent(() => import('./pages/auth/login-page'), 'LoginPage');
const ResetPasswordPage = lazyRouteComponent(
  () => import('./pages/auth/reset-password-page'),
  'ResetPasswordPage',
);
const SetupPage = lazyRouteComponent(() => import('./pages/auth/setup-page'), 'SetupPage');
const AuditPage = lazyRouteComponent(() => import('./pages/audit/audit-page'), 'AuditPage');
const RolesPage = lazyRouteComponent(() => import('./pages/roles/roles-page'), 'RolesPage');
const TokenHygienePage = lazyRouteComponent(
  () => import('./pages/tokens/hygiene/token-hygiene-page'),
  'TokenHygienePage',
);
const TokenPage = lazyRouteComponent(() => import('./pages/tokens/token-page'), 'TokenPage');
const TokensPage = lazyRouteComponent(() => import('./pages/tokens/tokens-page'), 'TokensPage');
const OrgSettingsPage = lazyRouteComponent(() => import('./pages/org/org-settings-page'), 'OrgSettingsPage');
const WebhooksPage = lazyRouteComponent(() => import('./pages/webhooks/webhooks-page'), 'WebhooksPage');
const MembersPage = lazyRouteComponent(() => import('./pages/members/members-page'), 'MembersPage');
const ServiceAccountPage = lazyRouteComponent(
  () => import('./pages/members/service-account-page'),
  'ServiceAccountPage',
);

const rootRoute = createRootRoute({ component: Outlet });

async function requireSession(): Promise<Me> {
  try {
    return await queryClient.fetchQuery(meQuery);
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) throw redirect({ to: '/login' });
    throw e;
  }
}

const indexRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/',
  beforeLoad: async () => {
    const me = await requireSession();
    const first = me.orgs[0];
    if (first)
      throw redirect({ to: '/orgs/$org/members', params: { org: first.slug }, search: { tab: 'members' } });
  },
  component: () => <Navigate to="/login" />,
});
const loginRoute = createRoute({ getParentRoute: () => rootRoute, path: '/login', component: LoginPage });
const setupRoute = createRoute({ getParentRoute: () => rootRoute, path: '/setup', component: SetupPage });
const acceptRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/accept-invite',
  component: AcceptInvitePage,
});
const resetRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/reset-password',
  component: ResetPasswordPage,
});

const orgRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/orgs/$org',
  beforeLoad: async () => {
    await requireSession();
  },
  pendingComponent: Loading,
  component: OrgLayout,
});
const orgIndexRoute = createRoute({
  getParentRoute: () => orgRoute,
  path: '/',
  beforeLoad: ({ params }) => {
    throw redirect({ to: '/orgs/$org/members', params, search: { tab: 'members' } });
  },
});
const membersRoute = createRoute({
  getParentRoute: () => orgRoute,
  path: '/members',
  validateSearch: (s: Record<string, unknown>): { tab?: MembersTabName } =>
    s.tab === 'service-accounts' || s.tab === 'invitations' ? { tab: s.tab } : {},
  component: MembersPage,
});
const tokensRoute = createRoute({
  getParentRoute: () => orgRoute,
  path: '/tokens',
  // The filters live in the URL: a reload or a shared link shows the same list (e.g. one owner's tokens,
  // linked from the refusal to remove a member who still owns some).
  validateSearch: tokenFiltersFromSearch,
  component: TokensPage,
});
// A static segment: the router ranks it above /tokens/$id (token ids are tok_…, never "hygiene").
const tokenHygieneRoute = createRoute({
  getParentRoute: () => orgRoute,
  path: '/tokens/hygiene',
  component: TokenHygienePage,
});
const tokenRoute = createRoute({ getParentRoute: () => orgRoute, path: '/tokens/$id', component: TokenPage });
const serviceAccountRoute = createRoute({
  getParentRoute: () => orgRoute,
  path: '/service-accounts/$id',
  component: ServiceAccountPage,
});
const rolesRoute = createRoute({ getParentRoute: () => orgRoute, path: '/roles', component: RolesPage });
const auditRoute = createRoute({
  getParentRoute: () => orgRoute,
  path: '/audit',
  // ?target=tok_… opens the log filtered to one object (a token page links here).
  validateSearch: (s: Record<string, unknown>): { target?: string } =>
    typeof s.target === 'string' && /^[A-Za-z0-9_-]{1,64}$/.test(s.target) ? { target: s.target } : {},
  component: AuditPage,
});

const orgSettingsRoute = createRoute({
  getParentRoute: () => orgRoute,
  path: '/settings',
  component: OrgSettingsPage,
});

const webhooksRoute = createRoute({
  getParentRoute: () => orgRoute,
  path: '/webhooks',
  component: WebhooksPage,
});
const routeTree = rootRoute.addChildren([
  indexRoute,
  loginRoute,
  setupRoute,
  acceptRoute,
  resetRoute,
  orgRoute.addChildren([
    orgIndexRoute,
    membersRoute,
    tokensRoute,
    tokenHygieneRoute,
    tokenRoute,
    serviceAccountRoute,
    rolesRoute,
    auditRoute,
    webhooksRoute,
    orgSettingsRoute,
  ]),
]);

export const router = createRouter({ routeTree, defaultPendingComponent: Loading });

declare module '@tanstack/react-router' {
  interface Register {
    router: typeof router;
  }
}
