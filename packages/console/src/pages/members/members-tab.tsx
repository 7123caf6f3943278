import { Alert, Badge, Button, List, Stack, Table, Text } from '@mantine/core';
import { useState } from 'react';
import { Dialog } from '../../components/dialog';
import { call, lk } from '../../api/client';
import { useMe, useMembers, useOrgMutation } from '../../api/queries';
import { useAllows } from '../../components/permission-gate';
import type { Member } from '../../api/types';
import { RowMenuButton, useRowContextMenu, type RowAction } from '../../components/row-actions';
import { Empty, ErrorAlert, QueryFallback } from '../../components/states';
import { AnchorLink } from '../../components/anchor-link';
import { ServiceAccountSelect } from '../tokens/service-account-select';
import { useOwnedTokensRefusal } from './owned-tokens-refusal';
import { RoleSelectModal } from './role-select-modal';
import { DialogActions } from '../../components/dialog-actions';

export function MembersTab({ org }: { org: string }) {
  const members = useMembers(org);
  const contextMenu = useRowContextMenu();
  const canEdit = useAllows(org)('members:edit');
  const myId = useMe().data?.user?.id;
  const [changing, setChanging] = useState<Member | null>(null);
  const [removing, setRemoving] = useState<Member | null>(null);
  if (!members.isSuccess) return <QueryFallback query={members} />;
  if (members.data.length === 0) return <Empty>No members yet.</Empty>;

  // Without members:edit, a member may still leave: their own row offers that, and nothing else.
  const actions = (m: Member): RowAction[] => [
    ...(canEdit ? [{ key: 'role', title: 'Change role', onClick: () => setChanging(m) }] : []),
    ...(canEdit || m.userId === myId
      ? [{ key: 'remove', title: 'Remove from org', color: 'red', onClick: () => setRemoving(m) }]
      : []),
  ];
  return (
    <>
      <Table.ScrollContainer minWidth={560}>
        <Table highlightOnHover aria-label="Members">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Name</Table.Th>
              <Table.Th>Email</Table.Th>
              <Table.Th>Role</Table.Th>
              <Table.Th>Tokens owned</Table.Th>
              <Table.Th>Joined</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {members.data.map((m) => (
              <Table.Tr
                key={m.userId}
                data-testid={`member-row-${m.email}`}
                onContextMenu={contextMenu(actions(m))}
              >
                <Table.Td>{m.name}</Table.Td>
                <Table.Td>{m.email}</Table.Td>
                <Table.Td>{m.roleName}</Table.Td>
                <Table.Td>{m.activeTokens > 0 ? <Badge color="orange">{m.activeTokens}</Badge> : 0}</Table.Td>
                <Table.Td>{new Date(m.joinedAt).toLocaleDateString()}</Table.Td>
                <Table.Td>
                  <RowMenuButton label={m.email} actions={actions(m)} />
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {changing && <ChangeRoleModal org={org} member={changing} onClose={() => setChanging(null)} />}
      {removing && <RemoveMemberModal org={org} member={removing} onClose={() => setRemoving(null)} />}
    </>
  );
}

function ChangeRoleModal({ org, member, onClose }: { org: string; member: Member; onClose: () => void }) {
  return (
    <RoleSelectModal
      org={org}
      title={`Change role of ${member.email}`}
      roleId={member.roleId}
      save={(roleId) =>
        call(
          lk.PATCH('/api/v1/orgs/{org}/members/{userId}', {
            params: { path: { org, userId: member.userId } },
            body: { roleId },
          }),
        )
      }
      onClose={onClose}
    />
  );
}

/** How many of the refused-for tokens the dialog names; the rest are a link away (the Tokens page, filtered). */
const NAMED_TOKENS = 5;

/**
 * Removing a member. When they still own tokens, the server refuses (member_owns_tokens) and lists them;
 * this dialog then says how many, names the first few, links to all of them on the Tokens page, and offers
 * to move them all to a service account right here — one request, one transaction, all or none — and then
 * remove the member.
 */
function RemoveMemberModal({ org, member, onClose }: { org: string; member: Member; onClose: () => void }) {
  const refusal = useOwnedTokensRefusal('member_owns_tokens');
  const [target, setTarget] = useState<string | null>(null);
  const path = { params: { path: { org, userId: member.userId } } };
  const remove = useOrgMutation(
    org,
    () => call(lk.DELETE('/api/v1/orgs/{org}/members/{userId}', path)),
    `${member.email} removed from the org.`,
  );
  const reassignAndRemove = useOrgMutation(
    org,
    async (to: string) => {
      await call(
        lk.POST('/api/v1/orgs/{org}/members/{userId}/reassign-tokens', {
          ...path,
          body: { serviceAccountId: to },
        }),
      );
      await call(lk.DELETE('/api/v1/orgs/{org}/members/{userId}', path));
    },
    `Tokens reassigned; ${member.email} removed from the org.`,
  );
  const owned = refusal.owned;
  const failure = refusal.otherFailure(remove.error) ?? reassignAndRemove.error;
  const count = (n: number) => `${n} active token${n === 1 ? '' : 's'}`;
  return (
    <Dialog opened onClose={onClose} title={`Remove ${member.email} from the org`}>
      <Stack>
        <ErrorAlert error={failure} />
        {owned ? (
          <>
            <Alert color="orange" title={`This member still owns ${count(owned.length)}`} role="alert">
              A member who owns active tokens cannot be removed. Reassign them to a service account first —
              their values do not change, so sites using them keep working, and none gains a permission.
            </Alert>
            <List size="sm" data-testid="owned-tokens">
              {owned.slice(0, NAMED_TOKENS).map((t) => (
                <List.Item key={t.id}>
                  {t.name}{' '}
                  <Text span c="dimmed">
                    ({t.type}, {t.hint})
                  </Text>
                </List.Item>
              ))}
            </List>
            {owned.length > NAMED_TOKENS && <Text size="sm">and {owned.length - NAMED_TOKENS} more.</Text>}
            <AnchorLink to="/orgs/$org/tokens" params={{ org }} search={{ owner: member.userId }} size="sm">
              See all {owned.length} on the Tokens page
            </AnchorLink>
            <ServiceAccountSelect
              org={org}
              label={`Reassign all ${owned.length} to`}
              value={target}
              onChange={setTarget}
              nothingFoundMessage={null}
            />
            <DialogActions onClose={onClose}>
              <Button
                color="red"
                disabled={!target}
                loading={reassignAndRemove.isPending}
                onClick={() => {
                  if (target) void reassignAndRemove.mutateAsync(target).then(onClose, () => undefined);
                }}
              >
                Reassign all and remove
              </Button>
            </DialogActions>
          </>
        ) : (
          <>
            <Text>
              {member.name} ({member.email}) loses access to this org at once.
            </Text>
            {member.activeTokens > 0 && (
              <Text size="sm" data-testid="owned-tokens-note">
                They own {count(member.activeTokens)}: those must move to a service account first, and the
                next step offers to do it.
              </Text>
            )}
            <DialogActions onClose={onClose}>
              <Button
                color="red"
                loading={remove.isPending}
                onClick={() => void refusal.attempt(() => remove.mutateAsync(undefined), onClose)}
              >
                Remove from org
              </Button>
            </DialogActions>
          </>
        )}
      </Stack>
    </Dialog>
  );
}
