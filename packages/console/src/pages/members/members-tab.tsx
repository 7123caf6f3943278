import { Alert, Badge, Button, List, Modal, Stack, Table, Text } from '@mantine/core';
import { useState } from 'react';
import { call, lk } from '../../api/client';
import { useMembers, useOrgMutation } from '../../api/queries';
import type { Member, TokenRef } from '../../api/types';
import { RowMenuButton, useRowContextMenu, type RowAction } from '../../components/row-actions';
import { Empty, ErrorAlert, ErrorState, Loading } from '../../components/states';
import { reassignTokens } from '../tokens/reassign-tokens';
import { ServiceAccountSelect } from '../tokens/service-account-select';
import { useOwnedTokensRefusal } from './owned-tokens-refusal';
import { RoleSelectModal } from './role-select-modal';
import { DialogActions } from '../../components/dialog-actions';

export function MembersTab({ org }: { org: string }) {
  const members = useMembers(org);
  const contextMenu = useRowContextMenu();
  const [changing, setChanging] = useState<Member | null>(null);
  const [removing, setRemoving] = useState<Member | null>(null);
  if (members.isPending) return <Loading />;
  if (members.isError) return <ErrorState error={members.error} />;
  if (members.data.length === 0) return <Empty>No members yet.</Empty>;

  const actions = (m: Member): RowAction[] => [
    { key: 'role', title: 'Change role', onClick: () => setChanging(m) },
    { key: 'remove', title: 'Remove from org', color: 'red', onClick: () => setRemoving(m) },
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

/**
 * Removing a member. When they still own tokens, the server refuses (member_owns_tokens) and lists them;
 * this dialog then offers to reassign them all to a service account right here, and remove after.
 */
function RemoveMemberModal({ org, member, onClose }: { org: string; member: Member; onClose: () => void }) {
  const refusal = useOwnedTokensRefusal('member_owns_tokens');
  const [target, setTarget] = useState<string | null>(null);
  const remove = useOrgMutation(org, () =>
    call(
      lk.DELETE('/api/v1/orgs/{org}/members/{userId}', { params: { path: { org, userId: member.userId } } }),
    ),
  );
  const reassignAndRemove = useOrgMutation(
    org,
    async ({ tokens, to }: { tokens: TokenRef[]; to: string }) => {
      await reassignTokens(org, tokens, to);
      await call(
        lk.DELETE('/api/v1/orgs/{org}/members/{userId}', {
          params: { path: { org, userId: member.userId } },
        }),
      );
    },
  );
  const owned = refusal.owned;
  const failure = refusal.otherFailure(remove.error) ?? reassignAndRemove.error;
  return (
    <Modal opened onClose={onClose} title={`Remove ${member.email} from the org`}>
      <Stack>
        <ErrorAlert error={failure} />
        {owned ? (
          <>
            <Alert color="orange" title="This member still owns tokens" role="alert">
              A member who owns active tokens cannot be removed. Reassign these tokens to a service account
              first — their values do not change, so sites using them keep working.
            </Alert>
            <List size="sm" data-testid="owned-tokens">
              {owned.map((t) => (
                <List.Item key={t.id}>
                  {t.name}{' '}
                  <Text span c="dimmed">
                    ({t.type}, {t.hint})
                  </Text>
                </List.Item>
              ))}
            </List>
            <ServiceAccountSelect
              org={org}
              label="Reassign them to"
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
                  if (target)
                    void reassignAndRemove
                      .mutateAsync({ tokens: owned, to: target })
                      .then(onClose, () => undefined);
                }}
              >
                Reassign and remove
              </Button>
            </DialogActions>
          </>
        ) : (
          <>
            <Text>
              {member.name} ({member.email}) loses access to this org at once.
            </Text>
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
    </Modal>
  );
}
