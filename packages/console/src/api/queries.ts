import { keepPreviousData, queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { notifications } from '@mantine/notifications';
import { call, lk, setCsrfToken } from './client';
import type { AuditQuery, TokenQuery } from './types';

/** Query keys: one per org-scoped resource, so a change invalidates exactly what it affects. */
export const keys = {
  me: ['me'] as const,
  org: (org: string) => ['org', org] as const,
  members: (org: string) => ['org', org, 'members'] as const,
  serviceAccounts: (org: string) => ['org', org, 'service-accounts'] as const,
  serviceAccount: (org: string, id: string) => ['org', org, 'service-accounts', id] as const,
  invitations: (org: string) => ['org', org, 'invitations'] as const,
  roles: (org: string) => ['org', org, 'roles'] as const,
  tokens: (org: string, q: TokenQuery) => ['org', org, 'tokens', q] as const,
  token: (org: string, id: string) => ['org', org, 'token', id] as const,
  tokenUsage: (org: string, id: string) => ['org', org, 'token', id, 'usage'] as const,
  tokenReport: (org: string, unusedDays: number | undefined) =>
    ['org', org, 'token-report', unusedDays ?? null] as const,
  audit: (org: string, q: AuditQuery) => ['org', org, 'audit', q] as const,
  webhookEndpoints: (org: string) => ['org', org, 'webhook-endpoints'] as const,
  webhookDeliveries: (org: string, id: string, cursor: string | undefined) =>
    ['org', org, 'webhook-endpoints', id, 'deliveries', cursor ?? null] as const,
  webhookDelivery: (org: string, id: string, deliveryId: string) =>
    ['org', org, 'webhook-endpoints', id, 'delivery', deliveryId] as const,
};

/**
 * GET /me (who is signed in, and the CSRF token writes need): one definition for the router's session check
 * and every component, so the page's first load asks once. Fresh for 10 s: the router checks the session
 * on every navigation, and a sign-in, sign-out or accepted invitation replaces or removes it.
 */
export const meQuery = queryOptions({
  queryKey: keys.me,
  queryFn: async () => {
    const me = await call(lk.GET('/api/v1/me'));
    setCsrfToken(me.csrfToken);
    return me;
  },
  staleTime: 10_000,
  retry: false,
});
const inOrg = (org: string) => ({ params: { path: { org } } });

export const useMe = () => useQuery(meQuery);

export const useOrg = (org: string) =>
  useQuery({
    queryKey: keys.org(org),
    queryFn: () => call(lk.GET('/api/v1/orgs/{org}', inOrg(org))),
    retry: false,
  });
export const useMembers = (org: string) =>
  useQuery({
    queryKey: keys.members(org),
    queryFn: async () => (await call(lk.GET('/api/v1/orgs/{org}/members', inOrg(org)))).items,
  });
export const useServiceAccounts = (org: string) =>
  useQuery({
    queryKey: keys.serviceAccounts(org),
    queryFn: async () => (await call(lk.GET('/api/v1/orgs/{org}/service-accounts', inOrg(org)))).items,
  });
/**
 * The service accounts a token may be given to, as select options: active ones only (the server refuses a
 * disabled one with service_account_disabled), each with its role, since the role bounds what a token
 * it owns can do.
 */
export const activeServiceAccountOptions = (
  accounts: { id: string; name: string; status: string; roleName: string }[] = [],
) =>
  accounts
    .filter((a) => a.status === 'active')
    .map((a) => ({ value: a.id, label: `${a.name} · ${a.roleName}` }));
export const useInvitations = (org: string) =>
  useQuery({
    queryKey: keys.invitations(org),
    queryFn: async () => (await call(lk.GET('/api/v1/orgs/{org}/invitations', inOrg(org)))).items,
  });
export const useRoles = (org: string) =>
  useQuery({
    queryKey: keys.roles(org),
    queryFn: () => call(lk.GET('/api/v1/orgs/{org}/roles', inOrg(org))),
  });
export const useTokens = (org: string, query: TokenQuery) =>
  useQuery({
    queryKey: keys.tokens(org, query),
    queryFn: () => call(lk.GET('/api/v1/orgs/{org}/tokens', { params: { path: { org }, query } })),
  });
/** One service account (its page). */
export const useServiceAccount = (org: string, id: string) =>
  useQuery({
    queryKey: keys.serviceAccount(org, id),
    queryFn: () =>
      call(lk.GET('/api/v1/orgs/{org}/service-accounts/{id}', { params: { path: { org, id } } })),
  });
/**
 * The org's token whose value is `value` (null: none), for a value pasted into the search. A POST: the value
 * never goes into a URL. Each lookup is charged like a failed verification, so a value is asked once.
 */
export const useTokenByValue = (org: string, value: string | null) =>
  useQuery({
    queryKey: ['org', org, 'token-by-value', value],
    queryFn: async () =>
      (
        await call(
          lk.POST('/api/v1/orgs/{org}/tokens/find', { params: { path: { org } }, body: { value: value! } }),
        )
      ).item,
    enabled: value !== null,
    staleTime: Infinity,
    retry: false,
  });
export const useToken = (org: string, id: string) =>
  useQuery({
    queryKey: keys.token(org, id),
    queryFn: () => call(lk.GET('/api/v1/orgs/{org}/tokens/{id}', { params: { path: { org, id } } })),
  });
/** A token's usage over the last 30 days (successes, refusals by code, origins and addresses seen). */
export const useTokenUsage = (org: string, id: string) =>
  useQuery({
    queryKey: keys.tokenUsage(org, id),
    queryFn: () => call(lk.GET('/api/v1/orgs/{org}/tokens/{id}/usage', { params: { path: { org, id } } })),
  });
/** The hygiene report; `unusedDays` undefined = the server's setting (LATCHKEY_TOKEN_UNUSED_DAYS). */
export const useTokenReport = (org: string, unusedDays: number | undefined) =>
  useQuery({
    queryKey: keys.tokenReport(org, unusedDays),
    queryFn: () =>
      call(
        lk.GET('/api/v1/orgs/{org}/tokens/report', {
          params: { path: { org }, query: unusedDays === undefined ? {} : { unusedDays } },
        }),
      ),
    placeholderData: keepPreviousData,
  });
export const useAudit = (org: string, query: AuditQuery) =>
  useQuery({
    queryKey: keys.audit(org, query),
    queryFn: () => call(lk.GET('/api/v1/orgs/{org}/audit-log', { params: { path: { org }, query } })),
  });

export const useWebhookEndpoints = (org: string) =>
  useQuery({
    queryKey: keys.webhookEndpoints(org),
    queryFn: async () => (await call(lk.GET('/api/v1/orgs/{org}/webhook-endpoints', inOrg(org)))).items,
  });
/**
 * A delivery about to be sent (pending, its attempt due within a minute): the delivery log polls while it
 * shows one (the server's dispatcher sends every second); a retry hours away is not waited for.
 */
const dueSoon = (d: { status: string; nextAttemptAt: string | null }) =>
  d.status === 'pending' && (!d.nextAttemptAt || Date.parse(d.nextAttemptAt) - Date.now() < 60_000);
/** A page of an endpoint's deliveries, newest first (`cursor`: the previous page's `nextCursor`). */
export const useWebhookDeliveries = (org: string, id: string, cursor: string | undefined) =>
  useQuery({
    queryKey: keys.webhookDeliveries(org, id, cursor),
    queryFn: () =>
      call(
        lk.GET('/api/v1/orgs/{org}/webhook-endpoints/{id}/deliveries', {
          params: { path: { org, id }, query: { limit: 25, ...(cursor ? { cursor } : {}) } },
        }),
      ),
    placeholderData: keepPreviousData,
    refetchInterval: (q) => (q.state.data?.items.some(dueSoon) ? 2000 : false),
  });
/** One delivery: the body sent and every attempt. */
export const useWebhookDelivery = (org: string, id: string, deliveryId: string) =>
  useQuery({
    queryKey: keys.webhookDelivery(org, id, deliveryId),
    queryFn: () =>
      call(
        lk.GET('/api/v1/orgs/{org}/webhook-endpoints/{id}/deliveries/{deliveryId}', {
          params: { path: { org, id, deliveryId } },
        }),
      ),
    refetchInterval: (q) => (q.state.data && dueSoon(q.state.data) ? 2000 : false),
  });

/** A mutation that refreshes the whole org's data afterwards (lists, counts, audit log). */
/**
 * A change to the org; everything under it is fetched again once it settles. `done` (a sentence, or one
 * made from the answer and the input) is announced when the server accepts it: a toast, which is an ARIA
 * alert, so a screen reader says it too.
 */
export function useOrgMutation<I, O>(
  org: string,
  fn: (input: I) => Promise<O>,
  done?: string | ((answer: O, input: I) => string),
) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: fn,
    onSuccess: (answer, input) => {
      if (done === undefined) return;
      notifications.show({ color: 'green', message: typeof done === 'string' ? done : done(answer, input) });
    },
    onSettled: () => qc.invalidateQueries({ queryKey: ['org', org] }),
  });
}

/**
 * Whether the signed-in caller holds `permission` in `org` (edit implies view), to leave out what the
 * server would refuse. `undefined` while it is being found out; `null` when the console cannot tell (the
 * caller's role may not let them see roles): show the action and let the server decide, as it always does.
 */
export function useCan(org: string, permission: `${string}:${'view' | 'edit'}`): boolean | null | undefined {
  return useGrants(org)(permission);
}

/**
 * What the signed-in member's role (or the signed-in token) grants, as a check per permission: true or
 * false, null when the console cannot tell (not a member of this org), undefined while loading. An edit
 * permission includes its view.
 */
export function useGrants(
  org: string,
): (permission: `${string}:${'view' | 'edit'}`) => boolean | null | undefined {
  const me = useMe();
  const membership = me.data?.orgs.find((o) => o.slug === org || o.id === org);
  const session = me.data?.kind === 'session';
  const roles = useQuery({
    queryKey: keys.roles(org),
    queryFn: () => call(lk.GET('/api/v1/orgs/{org}/roles', inOrg(org))),
    enabled: session && !!membership?.roleId,
  });
  const grants = (held: readonly string[], permission: string) =>
    held.includes(permission) ||
    (permission.endsWith(':view') && held.includes(`${permission.slice(0, -':view'.length)}:edit`));
  return (permission) => {
    if (me.isPending) return undefined;
    if (!me.data) return null;
    if (me.data.token) return grants(me.data.token.permissions, permission);
    if (!membership?.roleId) return null;
    if (roles.isPending) return undefined;
    const role = roles.data?.items.find((r) => r.id === membership.roleId);
    return role ? grants(role.permissions, permission) : null;
  };
}
