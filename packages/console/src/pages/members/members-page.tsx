import { Button, Tabs } from '@mantine/core';
import { useNavigate, useParams, useSearch } from '@tanstack/react-router';
import { useState } from 'react';
import { PageHeader } from '../../components/page-header';
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
  const [adding, setAdding] = useState(false);
  const [inviting, setInviting] = useState(false);
  const action =
    tab === 'service-accounts' ? (
      <Button onClick={() => setAdding(true)}>Add new service account</Button>
    ) : (
      <Button onClick={() => setInviting(true)}>Invite member</Button>
    );
  return (
    <>
      <PageHeader title="Members" action={action} />
      <Tabs
        value={tab}
        onChange={(t) =>
          void navigate({
            to: '/orgs/$org/members',
            params: { org },
            search: { tab: (t ?? 'members') as MembersTabName },
          })
        }
      >
        <Tabs.List mb="md">
          <Tabs.Tab value="members">Members</Tabs.Tab>
          <Tabs.Tab value="service-accounts">Service Accounts</Tabs.Tab>
          <Tabs.Tab value="invitations">Invitations</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="members">{tab === 'members' && <MembersTab org={org} />}</Tabs.Panel>
        <Tabs.Panel value="service-accounts">
          {tab === 'service-accounts' && <ServiceAccountsTab org={org} />}
        </Tabs.Panel>
        <Tabs.Panel value="invitations">{tab === 'invitations' && <InvitationsTab org={org} />}</Tabs.Panel>
      </Tabs>
      <AddServiceAccountModal org={org} opened={adding} onClose={() => setAdding(false)} />
      <InviteModal org={org} opened={inviting} onClose={() => setInviting(false)} />
    </>
  );
}
