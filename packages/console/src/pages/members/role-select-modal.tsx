import { Button, Select, Stack } from '@mantine/core';
import type { ReactNode } from 'react';
import { useState } from 'react';
import { Dialog } from '../../components/dialog';
import { useOrgMutation, useRoles } from '../../api/queries';
import { ErrorAlert } from '../../components/states';
import { DialogActions } from '../../components/dialog-actions';

/**
 * Choosing the role of a member or of a service account. Both are one role id sent in one PATCH, so they
 * share this dialog; only the title, the request and what it says about the change differ.
 */
export function RoleSelectModal({
  org,
  title,
  roleId: current,
  note,
  save,
  onClose,
}: {
  org: string;
  title: string;
  roleId: string;
  note?: ReactNode;
  save: (roleId: string) => Promise<unknown>;
  onClose: () => void;
}) {
  const roles = useRoles(org);
  const [roleId, setRoleId] = useState<string | null>(current);
  const change = useOrgMutation(org, save, 'Role changed.');
  return (
    <Dialog opened onClose={onClose} title={title}>
      <Stack>
        <ErrorAlert error={change.error} />
        {note}
        <Select
          label="Role"
          data={(roles.data?.items ?? []).map((r) => ({ value: r.id, label: r.name }))}
          value={roleId}
          onChange={setRoleId}
          allowDeselect={false}
        />
        <DialogActions onClose={onClose}>
          <Button
            loading={change.isPending}
            disabled={!roleId}
            onClick={() => {
              if (roleId) void change.mutateAsync(roleId).then(onClose, () => undefined);
            }}
          >
            Save
          </Button>
        </DialogActions>
      </Stack>
    </Dialog>
  );
}
