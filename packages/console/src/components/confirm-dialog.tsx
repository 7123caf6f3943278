import { Stack } from '@mantine/core';
import type { ReactNode } from 'react';
import { Dialog } from './dialog';
import { useOrgMutation } from '../api/queries';
import { DialogActions, SubmitButton } from './dialog-actions';
import { ErrorAlert } from './states';

/**
 * "Are you sure?" for one change to the org: what it does, Cancel, and the action, which closes the dialog
 * once the server has accepted it and shows the server's refusal in the dialog otherwise.
 */
export function ConfirmDialog({
  org,
  title,
  children,
  confirmLabel,
  color = 'red',
  run,
  done,
  onClose,
}: {
  org: string;
  title: string;
  children: ReactNode;
  confirmLabel: string;
  color?: string;
  run: () => Promise<unknown>;
  /** What happened, announced once the server has accepted it, e.g. "widget revoked." */
  done: string;
  onClose: () => void;
}) {
  const action = useOrgMutation(org, run, done);
  return (
    <Dialog opened onClose={onClose} title={title}>
      <Stack>
        <ErrorAlert error={action.error} />
        {children}
        <DialogActions onClose={onClose}>
          <SubmitButton mutation={action} onDone={onClose} color={color}>
            {confirmLabel}
          </SubmitButton>
        </DialogActions>
      </Stack>
    </Dialog>
  );
}
