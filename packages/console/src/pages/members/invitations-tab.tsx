import { Badge, Button, CopyButton, Group, Select, Stack, Table, Text, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useEffect, useState } from 'react';
import { Dialog } from '../../components/dialog';
import { call, lk } from '../../api/client';
import { useInvitations, useOrgMutation, useRoles } from '../../api/queries';
import type { Invitation } from '../../api/types';
import { RowMenuButton, useRowContextMenu, type RowAction } from '../../components/row-actions';
import { useAllows } from '../../components/permission-gate';
import { Empty, ErrorAlert, QueryFallback } from '../../components/states';
import { DialogActions } from '../../components/dialog-actions';
import { ConfirmDialog } from '../../components/confirm-dialog';
import type { AddDialogProps } from '../../components/add-dialog-props';

/**
 * Open invitations. Without SMTP, the single-use link is shown (with a copy button) only when it is created:
 * the server keeps just its hash, so an existing invitation can be revoked and sent anew, never re-copied.
 * With SMTP the link is e-mailed to the address only and never shown.
 */
export function InvitationsTab({ org, onInvite }: { org: string; onInvite?: () => void }) {
  const invitations = useInvitations(org);
  const contextMenu = useRowContextMenu();
  const canEdit = useAllows(org)('members:edit');
  const [revoking, setRevoking] = useState<Invitation | null>(null);
  if (!invitations.isSuccess) return <QueryFallback query={invitations} />;
  if (invitations.data.length === 0)
    return (
      <Empty action={onInvite && <Button onClick={onInvite}>Invite member</Button>}>
        No open invitations.
      </Empty>
    );
  const actions = (i: Invitation): RowAction[] =>
    canEdit
      ? [{ key: 'revoke', title: 'Revoke invitation', color: 'red', onClick: () => setRevoking(i) }]
      : [];
  return (
    <>
      {revoking && (
        <ConfirmDialog
          org={org}
          title={`Revoke the invitation for ${revoking.email}?`}
          done={`Invitation for ${revoking.email} revoked.`}
          confirmLabel="Revoke invitation"
          run={() =>
            call(
              lk.DELETE('/api/v1/orgs/{org}/invitations/{id}', {
                params: { path: { org, id: revoking.id } },
              }),
            )
          }
          onClose={() => setRevoking(null)}
        >
          <Text>Its link stops working at once. You can invite the same address again later.</Text>
        </ConfirmDialog>
      )}
      <Table.ScrollContainer minWidth={520}>
        <Table aria-label="Invitations">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Email</Table.Th>
              <Table.Th>Role</Table.Th>
              <Table.Th>Status</Table.Th>
              <Table.Th>Expires</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {invitations.data.map((i) => (
              <Table.Tr key={i.id} onContextMenu={contextMenu(actions(i))}>
                <Table.Td>{i.email}</Table.Td>
                <Table.Td>{i.roleName}</Table.Td>
                <Table.Td>
                  <Badge color={i.status === 'pending' ? 'blue' : 'gray'}>{i.status}</Badge>
                </Table.Td>
                <Table.Td>{new Date(i.expiresAt).toLocaleString()}</Table.Td>
                <Table.Td>
                  <RowMenuButton label={i.email} actions={actions(i)} />
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </>
  );
}

export function InviteModal({ org, opened, onClose, onCreated }: AddDialogProps) {
  const roles = useRoles(org);
  const [link, setLink] = useState<string | null>(null);
  const [emailed, setEmailed] = useState(false);
  const form = useForm({
    initialValues: { email: '', roleId: '' },
    validate: {
      email: (v) => (/^\S+@\S+\.\S+$/.test(v) ? null : 'Enter an email address.'),
      roleId: (v) => (v ? null : 'Choose a role.'),
    },
  });
  const invite = useOrgMutation(org, (v: typeof form.values) =>
    call(lk.POST('/api/v1/orgs/{org}/invitations', { params: { path: { org } }, body: v })),
  );
  // With SMTP the link goes to the address only (whoever uses it proves they read that mailbox): no link here.
  const [mailedOnly, setMailedOnly] = useState<boolean | null>(null);
  const close = () => {
    setLink(null);
    setMailedOnly(null);
    form.reset();
    invite.reset();
    onClose();
  };
  // The least the new member can be given is offered first: the built-in Viewer role, until another is chosen.
  const viewer = roles.data?.items.find((r) => r.builtin && r.name === 'Viewer')?.id;
  useEffect(() => {
    if (opened && viewer && !form.values.roleId) form.setFieldValue('roleId', viewer);
  }, [opened, viewer, form]);
  return (
    <Dialog opened={opened} onClose={close} title="Invite member">
      {mailedOnly !== null ? (
        <Stack>
          <Text size="sm" role="status">
            {emailed
              ? `The single-use link was e-mailed to ${form.values.email}; only that address receives it.`
              : 'The e-mail could not be sent. Revoke this invitation and invite again once e-mail works.'}
          </Text>
          <DialogActions onClose={close} closeLabel="Done" />
        </Stack>
      ) : link ? (
        <Stack>
          <Text size="sm">
            Send this single-use link to {form.values.email} yourself: it is shown only now, and whoever opens
            it can create the account for that address, so you vouch that it reaches them.
          </Text>
          <TextInput readOnly value={link} aria-label="Invitation link" />
          <Group justify="flex-end">
            <CopyButton value={link}>
              {({ copied, copy }) => <Button onClick={copy}>{copied ? 'Copied' : 'Copy link'}</Button>}
            </CopyButton>
            <Button variant="default" onClick={close}>
              Done
            </Button>
          </Group>
        </Stack>
      ) : (
        <form
          onSubmit={form.onSubmit(async (v) => {
            const r = await invite.mutateAsync(v).catch(() => null);
            if (r) {
              onCreated?.();
              setEmailed(r.emailed);
              if (r.link) setLink(r.link);
              else setMailedOnly(true);
            }
          })}
        >
          <Stack>
            <ErrorAlert error={invite.error} />
            <TextInput label="Email" type="email" required {...form.getInputProps('email')} />
            <Select
              label="Role"
              required
              data={(roles.data?.items ?? []).map((r) => ({ value: r.id, label: r.name }))}
              {...form.getInputProps('roleId')}
            />
            <DialogActions onClose={close}>
              <Button type="submit" loading={invite.isPending}>
                Create invitation
              </Button>
            </DialogActions>
          </Stack>
        </form>
      )}
    </Dialog>
  );
}
