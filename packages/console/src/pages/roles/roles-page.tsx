import { Badge, Checkbox, Group, Stack, Table, Text, TextInput } from '@mantine/core';
import { useParams } from '@tanstack/react-router';
import { useState } from 'react';
import { Dialog } from '../../components/dialog';
import { call, lk } from '../../api/client';
import { useOrgMutation, useRoles } from '../../api/queries';
import type { Role } from '../../api/types';
import { PageHeader } from '../../components/page-header';
import { GatedButton, useAllows } from '../../components/permission-gate';
import { RowMenuButton, useRowContextMenu, type RowAction } from '../../components/row-actions';
import { ErrorAlert, QueryFallback } from '../../components/states';
import { DialogActions, SubmitButton } from '../../components/dialog-actions';

/** Settings → Roles: built-in and custom roles, each with its resource × View/Edit grid. */
export function RolesPage() {
  const { org } = useParams({ from: '/orgs/$org/roles' });
  const roles = useRoles(org);
  const contextMenu = useRowContextMenu();
  // Roles are readable by everyone who may list them; changing one needs roles:edit.
  const canEdit = useAllows(org)('roles:edit');
  const [editing, setEditing] = useState<Role | 'new' | null>(null);
  const remove = useOrgMutation(
    org,
    (r: Role) => call(lk.DELETE('/api/v1/orgs/{org}/roles/{id}', { params: { path: { org, id: r.id } } })),
    (_answer: unknown, r: Role) => `Role ${r.name} deleted.`,
  );
  if (!roles.isSuccess) return <QueryFallback query={roles} />;
  const actions = (r: Role): RowAction[] => [
    { key: 'edit', title: r.builtin || !canEdit ? 'View' : 'Edit', onClick: () => setEditing(r) },
    ...(canEdit
      ? [
          {
            key: 'delete',
            title: 'Delete',
            color: 'red',
            disabled: r.builtin,
            onClick: () => remove.mutate(r),
          },
        ]
      : []),
  ];
  return (
    <>
      <PageHeader
        title="Roles"
        action={
          <GatedButton allowed={canEdit} permission="roles:edit" onClick={() => setEditing('new')}>
            Add role
          </GatedButton>
        }
      />
      <ErrorAlert error={remove.error} mb="sm" />
      <Table highlightOnHover aria-label="Roles">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Role</Table.Th>
            <Table.Th>Permissions</Table.Th>
            <Table.Th />
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {roles.data.items.map((r) => (
            <Table.Tr key={r.id} onContextMenu={contextMenu(actions(r))} data-testid={`role-row-${r.name}`}>
              <Table.Td>
                <Group gap="xs">
                  {r.name}
                  {r.builtin && (
                    <Badge size="xs" variant="light">
                      built-in
                    </Badge>
                  )}
                </Group>
                {r.description && (
                  <Text size="xs" c="dimmed">
                    {r.description}
                  </Text>
                )}
              </Table.Td>
              <Table.Td>
                <Text size="sm">
                  {r.permissions.filter((p) => p.endsWith(':edit')).length} edit,{' '}
                  {r.permissions.filter((p) => p.endsWith(':view')).length} view
                </Text>
              </Table.Td>
              <Table.Td>
                <RowMenuButton label={r.name} actions={actions(r)} />
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {editing && (
        <RoleEditor
          org={org}
          role={editing === 'new' ? null : editing}
          resources={roles.data.catalog.resources}
          canEdit={canEdit}
          onClose={() => setEditing(null)}
        />
      )}
    </>
  );
}

function RoleEditor({
  org,
  role,
  resources,
  canEdit,
  onClose,
}: {
  org: string;
  role: Role | null;
  resources: string[];
  canEdit: boolean;
  onClose: () => void;
}) {
  const [name, setName] = useState(role?.name ?? '');
  const [perms, setPerms] = useState<Set<string>>(new Set(role?.permissions ?? []));
  const readOnly = (role?.builtin ?? false) || !canEdit;
  const save = useOrgMutation(
    org,
    () => {
      const body = { name, permissions: [...perms] };
      return role
        ? call(lk.PATCH('/api/v1/orgs/{org}/roles/{id}', { params: { path: { org, id: role.id } }, body }))
        : call(lk.POST('/api/v1/orgs/{org}/roles', { params: { path: { org } }, body }));
    },
    `Role ${name} saved.`,
  );
  const toggle = (resource: string, action: 'view' | 'edit', on: boolean) => {
    const next = new Set(perms);
    const p = `${resource}:${action}`;
    if (on) {
      next.add(p);
      if (action === 'edit') next.add(`${resource}:view`);
    } else {
      next.delete(p);
      if (action === 'view') next.delete(`${resource}:edit`);
    }
    setPerms(next);
  };
  return (
    <Dialog
      opened
      onClose={onClose}
      title={role ? (readOnly ? role.name : `Edit ${role.name}`) : 'Add role'}
      size="lg"
    >
      <Stack>
        <ErrorAlert error={save.error} />
        {readOnly && (
          <Text size="sm" c="dimmed">
            {role?.builtin
              ? 'Built-in roles cannot be changed.'
              : 'Changing a role needs the roles:edit permission.'}
          </Text>
        )}
        <TextInput
          label="Name"
          value={name}
          onChange={(e) => setName(e.currentTarget.value)}
          disabled={readOnly}
          required
        />
        <Table aria-label="Permission grid">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Resource</Table.Th>
              <Table.Th>View</Table.Th>
              <Table.Th>Edit</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {resources.map((r) => (
              <Table.Tr key={r}>
                <Table.Td>{r}</Table.Td>
                <Table.Td>
                  <Checkbox
                    aria-label={`${r} view`}
                    checked={perms.has(`${r}:view`)}
                    disabled={readOnly}
                    onChange={(e) => toggle(r, 'view', e.currentTarget.checked)}
                  />
                </Table.Td>
                <Table.Td>
                  <Checkbox
                    aria-label={`${r} edit`}
                    checked={perms.has(`${r}:edit`)}
                    disabled={readOnly}
                    onChange={(e) => toggle(r, 'edit', e.currentTarget.checked)}
                  />
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
        <DialogActions onClose={onClose} closeLabel={readOnly ? 'Close' : 'Cancel'}>
          {!readOnly && (
            <SubmitButton mutation={save} onDone={onClose} disabled={!name.trim()}>
              Save
            </SubmitButton>
          )}
        </DialogActions>
      </Stack>
    </Dialog>
  );
}
