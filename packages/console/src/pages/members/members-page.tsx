import { Group, Tabs } from '@mantine/core';
import { useNavigate, useParams, useSearch } from '@tanstack/react-router';
import { useState } from 'react';
import { PageHeader } from '../../components/page-header';
import { GatedButton, useAllows } from '../../components/permission-gate';
import { AddServiceAccountModal } from './add-service-account-modal';
import { InvitationsTab, InviteModal } from './invitations-tab';
import { MembersTab } from './members-tab';
import { ServiceAccountsTab } from './service-accounts-tab';

export type MembersTabName = 'members' | 'service-accounts' | 'invitations';

/** Settings → Members, with the Members, Service Accounts and Invitations tabs. */
export function MembersPage() {
  const { org } = useParams({ from: '/orgs/$org/members' });
  const tab: MembersTabName = useSearch({ from: '/orgs/$org/members' }).tab ?? 'members';
  const navigate = useNavigate();
  const allows = useAllows(org);
  const [adding, setAdding] = useState(false);
  const [inviting, setInviting] = useState(false);
  const showTab = (t: MembersTabName) =>
    void navigate({ to: '/orgs/$org/members', params: { org }, search: { tab: t } });
  // Both on every tab (the seed's first step, adding a service account, starts from Members); the tab's own
  // kind is the filled button.
  const action = (
    <Group gap="sm">
      <GatedButton
        allowed={allows('service_accounts:edit')}
        permission="service_accounts:edit"
        variant={tab === 'service-accounts' ? 'filled' : 'default'}
        onClick={() => setAdding(true)}
      >
        Add new service account
      </GatedButton>
      <GatedButton
        allowed={allows('members:edit')}
        permission="members:edit"
        variant={tab === 'service-accounts' ? 'default' : 'filled'}
        onClick={() => setInviting(true)}
      >
        Invite member
      </GatedButton>
    </Group>
  );
  return (
    <>
      <PageHeader title="Members" action={action} />
      <Tabs value={tab} onChange={(t) => showTab((t ?? 'members') as MembersTabName)}>
        <Tabs.List mb="md">
          <Tabs.Tab value="members">Members</Tabs.Tab>
          <Tabs.Tab value="service-accounts">Service Accounts</Tabs.Tab>
          <Tabs.Tab value="invitations">Invitations</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="members">{tab === 'members' && <MembersTab org={org} />}</Tabs.Panel>
        <Tabs.Panel value="service-accounts">
          {tab === 'service-accounts' && (
            <ServiceAccountsTab
              org={org}
              onAdd={allows('service_accounts:edit') ? () => setAdding(true) : undefined}
            />
          )}
        </Tabs.Panel>
        <Tabs.Panel value="invitations">
          {tab === 'invitations' && (
            <InvitationsTab
              org={org}
              onInvite={allows('members:edit') ? () => setInviting(true) : undefined}
            />
          )}
        </Tabs.Panel>
      </Tabs>
      <AddServiceAccountModal
        org={org}
        opened={adding}
        onClose={() => setAdding(false)}
        onCreated={() => showTab('service-accounts')}
      />
      <InviteModal
        org={org}
        opened={inviting}
        onClose={() => setInviting(false)}
        onCreated={() => showTab('invitations')}
      />
    </>
  );
}
