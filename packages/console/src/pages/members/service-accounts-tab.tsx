import {
  Alert,
  Badge,
  Button,
  Group,
  List,
  Modal,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
} from '@mantine/core';
import { useState } from 'react';
import { call, lk, ApiError, errorMessage } from '../../api/client';
import { useOrgMutation, useRoles, useServiceAccounts } from '../../api/queries';
import type { ServiceAccount, TokenRef } from '../../api/types';
import { RowMenuButton, useRowContextMenu, type RowAction } from '../../components/row-actions';
import { Empty, ErrorState, Loading } from '../../components/states';
import { SERVICE_ACCOUNT_NAME_HINT, serviceAccountNameError } from '../../validation/forms';

type Dialog = { kind: 'rename' | 'role' | 'delete'; sa: ServiceAccount } | null;

export function ServiceAccountsTab({ org }: { org: string }) {
  const accounts = useServiceAccounts(org);
  const contextMenu = useRowContextMenu();
  const [dialog, setDialog] = useState<Dialog>(null);
  const toggle = useOrgMutation(org, (sa: ServiceAccount) =>
    call(
      lk.PATCH('/api/v1/orgs/{org}/service-accounts/{id}', {
        params: { path: { org, id: sa.id } },
        body: { disabled: sa.status === 'active' },
      }),
    ),
  );
  if (accounts.isPending) return <Loading />;
  if (accounts.isError) return <ErrorState error={accounts.error} />;
  if (accounts.data.length === 0) return <Empty>No service accounts yet. Add one to own your tokens.</Empty>;

  const actions = (sa: ServiceAccount): RowAction[] => [
    { key: 'rename', title: 'Rename', onClick: () => setDialog({ kind: 'rename', sa }) },
    { key: 'role', title: 'Change role', onClick: () => setDialog({ kind: 'role', sa }) },
    { key: 'toggle', title: sa.status === 'active' ? 'Disable' : 'Enable', onClick: () => toggle.mutate(sa) },
    { key: 'delete', title: 'Delete', color: 'red', onClick: () => setDialog({ kind: 'delete', sa }) },
  ];
  return (
    <>
      {toggle.error && (
        <Alert color="red" mb="sm" role="alert">
          {errorMessage(toggle.error)}
        </Alert>
      )}
      <Table.ScrollContainer minWidth={560}>
        <Table highlightOnHover aria-label="Service accounts">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Name</Table.Th>
              <Table.Th>Role</Table.Th>
              <Table.Th>Status</Table.Th>
              <Table.Th>Tokens</Table.Th>
              <Table.Th>Created</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {accounts.data.map((sa) => (
              <Table.Tr
                key={sa.id}
                data-testid={`sa-row-${sa.name}`}
                onContextMenu={contextMenu(actions(sa))}
              >
                <Table.Td>
                  <Text fw={500}>{sa.name}</Text>
                  {sa.description && (
                    <Text size="xs" c="dimmed">
                      {sa.description}
                    </Text>
                  )}
                </Table.Td>
                <Table.Td>{sa.roleName}</Table.Td>
                <Table.Td>
                  <Badge color={sa.status === 'active' ? 'green' : 'gray'}>{sa.status}</Badge>
                </Table.Td>
                <Table.Td>{sa.activeTokens}</Table.Td>
                <Table.Td>{new Date(sa.createdAt).toLocaleDateString()}</Table.Td>
                <Table.Td>
                  <RowMenuButton label={sa.name} actions={actions(sa)} />
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {dialog?.kind === 'rename' && <RenameModal org={org} sa={dialog.sa} onClose={() => setDialog(null)} />}
      {dialog?.kind === 'role' && <RoleModal org={org} sa={dialog.sa} onClose={() => setDialog(null)} />}
      {dialog?.kind === 'delete' && <DeleteModal org={org} sa={dialog.sa} onClose={() => setDialog(null)} />}
    </>
  );
}

function RenameModal({ org, sa, onClose }: { org: string; sa: ServiceAccount; onClose: () => void }) {
  const [name, setName] = useState(sa.name);
  const rename = useOrgMutation(org, (n: string) =>
    call(
      lk.PATCH('/api/v1/orgs/{org}/service-accounts/{id}', {
        params: { path: { org, id: sa.id } },
        body: { name: n },
      }),
    ),
  );
  const problem = serviceAccountNameError(name);
  return (
    <Modal opened onClose={onClose} title={`Rename ${sa.name}`}>
      <Stack>
        {rename.error && (
          <Alert color="red" role="alert">
            {errorMessage(rename.error)}
          </Alert>
        )}
        <TextInput
          label="Name"
          description={SERVICE_ACCOUNT_NAME_HINT}
          value={name}
          onChange={(e) => setName(e.currentTarget.value)}
          error={problem}
        />
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button
            disabled={problem !== null}
            loading={rename.isPending}
            onClick={() => void rename.mutateAsync(name).then(onClose, () => undefined)}
          >
            Rename
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

function RoleModal({ org, sa, onClose }: { org: string; sa: ServiceAccount; onClose: () => void }) {
  const roles = useRoles(org);
  const [roleId, setRoleId] = useState<string | null>(sa.roleId);
  const save = useOrgMutation(org, (id: string) =>
    call(
      lk.PATCH('/api/v1/orgs/{org}/service-accounts/{id}', {
        params: { path: { org, id: sa.id } },
        body: { roleId: id },
      }),
    ),
  );
  return (
    <Modal opened onClose={onClose} title={`Role of ${sa.name}`}>
      <Stack>
        {save.error && (
          <Alert color="red" role="alert">
            {errorMessage(save.error)}
          </Alert>
        )}
        <Text size="sm" c="dimmed">
          Its tokens gain or lose permissions with the role, at once.
        </Text>
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
            loading={save.isPending}
            onClick={() => {
              if (roleId) void save.mutateAsync(roleId).then(onClose, () => undefined);
            }}
          >
            Save
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

/** Deleting is refused while the account owns active tokens; the refusal lists them and offers to revoke them too. */
function DeleteModal({ org, sa, onClose }: { org: string; sa: ServiceAccount; onClose: () => void }) {
  const [owned, setOwned] = useState<TokenRef[] | null>(null);
  const del = useOrgMutation(org, (revoke: boolean) =>
    call(
      lk.DELETE('/api/v1/orgs/{org}/service-accounts/{id}', {
        params: { path: { org, id: sa.id }, query: revoke ? { revokeTokens: true } : {} },
      }),
    ),
  );
  const attempt = async (revoke: boolean) => {
    try {
      await del.mutateAsync(revoke);
      onClose();
    } catch (e) {
      if (e instanceof ApiError && e.code === 'service_account_has_tokens')
        setOwned((e.details as { tokens: TokenRef[] }).tokens);
    }
  };
  const other =
    del.error && !(del.error instanceof ApiError && del.error.code === 'service_account_has_tokens')
      ? del.error
      : null;
  return (
    <Modal opened onClose={onClose} title={`Delete ${sa.name}`}>
      <Stack>
        {other && (
          <Alert color="red" role="alert">
            {errorMessage(other)}
          </Alert>
        )}
        {owned ? (
          <>
            <Alert color="orange" title="This account still owns active tokens" role="alert">
              Deleting never leaves a token without an owner. Reassign these tokens under Tokens first, or
              revoke them together with the account.
            </Alert>
            <List size="sm">
              {owned.map((t) => (
                <List.Item key={t.id}>
                  {t.name} ({t.hint})
                </List.Item>
              ))}
            </List>
            <Group justify="flex-end">
              <Button variant="default" onClick={onClose}>
                Cancel
              </Button>
              <Button color="red" loading={del.isPending} onClick={() => void attempt(true)}>
                Revoke tokens and delete
              </Button>
            </Group>
          </>
        ) : (
          <>
            <Text>Delete the service account {sa.name}?</Text>
            <Group justify="flex-end">
              <Button variant="default" onClick={onClose}>
                Cancel
              </Button>
              <Button color="red" loading={del.isPending} onClick={() => void attempt(false)}>
                Delete
              </Button>
            </Group>
          </>
        )}
      </Stack>
    </Modal>
  );
}
