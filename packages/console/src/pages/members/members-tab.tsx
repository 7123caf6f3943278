import { Alert, Badge, Button, Group, List, Modal, Select, Stack, Table, Text } from '@mantine/core';
import { useState } from 'react';
import { call, lk, ApiError, errorMessage } from '../../api/client';
import {
  activeServiceAccountOptions,
  useMembers,
  useOrgMutation,
  useRoles,
  useServiceAccounts,
} from '../../api/queries';
import type { Member, TokenRef } from '../../api/types';
import { RowMenuButton, useRowContextMenu, type RowAction } from '../../components/row-actions';
import { Empty, ErrorState, Loading } from '../../components/states';

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
  const roles = useRoles(org);
  const [roleId, setRoleId] = useState<string | null>(member.roleId);
  const change = useOrgMutation(org, (id: string) =>
    call(
      lk.PATCH('/api/v1/orgs/{org}/members/{userId}', {
        params: { path: { org, userId: member.userId } },
        body: { roleId: id },
      }),
    ),
  );
  return (
    <Modal opened onClose={onClose} title={`Change role of ${member.email}`}>
      <Stack>
        {change.error && (
          <Alert color="red" role="alert">
            {errorMessage(change.error)}
          </Alert>
        )}
        <Select
          label="Role"
          data={(roles.data?.items ?? []).map((r) => ({ value: r.id, label: r.name }))}
          value={roleId}
          onChange={setRoleId}
          allowDeselect={false}
        />
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button
            loading={change.isPending}
            disabled={!roleId}
            onClick={() => {
              if (roleId) void change.mutateAsync(roleId).then(onClose, () => undefined);
            }}
          >
            Save
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

/**
 * Removing a member. When they still own tokens, the server refuses (member_owns_tokens) and lists them;
 * this dialog then offers to reassign them all to a service account right here, and remove after.
 */
function RemoveMemberModal({ org, member, onClose }: { org: string; member: Member; onClose: () => void }) {
  const accounts = useServiceAccounts(org);
  const [owned, setOwned] = useState<TokenRef[] | null>(null);
  const [target, setTarget] = useState<string | null>(null);
  const remove = useOrgMutation(org, () =>
    call(
      lk.DELETE('/api/v1/orgs/{org}/members/{userId}', { params: { path: { org, userId: member.userId } } }),
    ),
  );
  const reassignAndRemove = useOrgMutation(
    org,
    async ({ tokens, to }: { tokens: TokenRef[]; to: string }) => {
      for (const t of tokens)
        await call(
          lk.POST('/api/v1/orgs/{org}/tokens/{id}/reassign', {
            params: { path: { org, id: t.id } },
            body: { serviceAccountId: to },
          }),
        );
      await call(
        lk.DELETE('/api/v1/orgs/{org}/members/{userId}', {
          params: { path: { org, userId: member.userId } },
        }),
      );
    },
  );
  const tryRemove = async () => {
    try {
      await remove.mutateAsync(undefined);
      onClose();
    } catch (e) {
      if (e instanceof ApiError && e.code === 'member_owns_tokens')
        setOwned((e.details as { tokens: TokenRef[] }).tokens);
    }
  };
  const failure =
    remove.error && !(remove.error instanceof ApiError && remove.error.code === 'member_owns_tokens')
      ? remove.error
      : reassignAndRemove.error;
  return (
    <Modal opened onClose={onClose} title={`Remove ${member.email} from the org`}>
      <Stack>
        {failure && (
          <Alert color="red" role="alert">
            {errorMessage(failure)}
          </Alert>
        )}
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
            <Select
              label="Reassign them to"
              placeholder="Choose a service account"
              data={activeServiceAccountOptions(accounts.data)}
              value={target}
              onChange={setTarget}
            />
            <Group justify="flex-end">
              <Button variant="default" onClick={onClose}>
                Cancel
              </Button>
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
            </Group>
          </>
        ) : (
          <>
            <Text>
              {member.name} ({member.email}) loses access to this org at once.
            </Text>
            <Group justify="flex-end">
              <Button variant="default" onClick={onClose}>
                Cancel
              </Button>
              <Button color="red" loading={remove.isPending} onClick={() => void tryRemove()}>
                Remove from org
              </Button>
            </Group>
          </>
        )}
      </Stack>
    </Modal>
  );
}
