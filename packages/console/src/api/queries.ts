import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, setCsrfToken } from './client';
import type { AuditEntry, Invitation, Me, Member, Org, Page, RolesResponse, ServiceAccount, Token } from './types';
import { apiPath, withQuery } from './path';

/** Query keys: one per org-scoped resource, so a change invalidates exactly what it affects. */
export const keys = {
  me: ['me'] as const,
  org: (org: string) => ['org', org] as const,
  members: (org: string) => ['org', org, 'members'] as const,
  serviceAccounts: (org: string) => ['org', org, 'service-accounts'] as const,
  invitations: (org: string) => ['org', org, 'invitations'] as const,
  roles: (org: string) => ['org', org, 'roles'] as const,
  tokens: (org: string, q: string) => ['org', org, 'tokens', q] as const,
  audit: (org: string, q: string) => ['org', org, 'audit', q] as const,
};

export function useMe() {
  return useQuery({
    queryKey: keys.me,
    queryFn: async () => {
      const me = await api<Me>('GET', apiPath`/me`);
      setCsrfToken(me.csrfToken);
      return me;
    },
    retry: false,
  });
}

export const useOrg = (org: string) => useQuery({ queryKey: keys.org(org), queryFn: () => api<Org>('GET', apiPath`/orgs/${org}`), retry: false });
export const useMembers = (org: string) =>
  useQuery({ queryKey: keys.members(org), queryFn: async () => (await api<{ items: Member[] }>('GET', apiPath`/orgs/${org}/members`)).items });
export const useServiceAccounts = (org: string) =>
  useQuery({ queryKey: keys.serviceAccounts(org), queryFn: async () => (await api<{ items: ServiceAccount[] }>('GET', apiPath`/orgs/${org}/service-accounts`)).items });
export const useInvitations = (org: string) =>
  useQuery({ queryKey: keys.invitations(org), queryFn: async () => (await api<{ items: Invitation[] }>('GET', apiPath`/orgs/${org}/invitations`)).items });
export const useRoles = (org: string) => useQuery({ queryKey: keys.roles(org), queryFn: () => api<RolesResponse>('GET', apiPath`/orgs/${org}/roles`) });
export const useTokens = (org: string, query: string) =>
  useQuery({ queryKey: keys.tokens(org, query), queryFn: () => api<Page<Token>>('GET', withQuery(apiPath`/orgs/${org}/tokens`, query)) });
export const useAudit = (org: string, query: string) =>
  useQuery({ queryKey: keys.audit(org, query), queryFn: () => api<Page<AuditEntry>>('GET', withQuery(apiPath`/orgs/${org}/audit-log`, query)) });

/** A mutation that refreshes the whole org's data afterwards (lists, counts, audit log). */
export function useOrgMutation<I, O>(org: string, fn: (input: I) => Promise<O>) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: fn,
    onSettled: () => qc.invalidateQueries({ queryKey: ['org', org] }),
  });
}
