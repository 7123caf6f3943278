import { Button, Group } from '@mantine/core';
import type { ReactNode } from 'react';

/**
 * The row of buttons that ends every dialog, so they all read the same way: right-aligned, the way out first
 * (Cancel unless said otherwise), then the dialog's own actions.
 */
export function DialogActions({
  onClose,
  closeLabel = 'Cancel',
  children,
}: {
  /** The way out, which leaves the dialog without acting. */
  onClose: () => void;
  closeLabel?: ReactNode;
  children?: ReactNode;
}) {
  return (
    <Group justify="flex-end">
      <Button variant="default" onClick={onClose}>
        {closeLabel}
      </Button>
      {children}
    </Group>
  );
}

/**
 * A dialog's action that runs `mutation` and closes the dialog when it succeeds; a failure leaves the
 * dialog open with the mutation's error (each dialog shows it in its ErrorAlert).
 */
export function SubmitButton({
  mutation,
  onDone,
  disabled,
  color,
  children,
}: {
  mutation: { isPending: boolean; mutateAsync: (input: undefined) => Promise<unknown> };
  onDone: () => void;
  disabled?: boolean;
  color?: string;
  children: ReactNode;
}) {
  return (
    <Button
      color={color}
      disabled={disabled}
      loading={mutation.isPending}
      onClick={() => void mutation.mutateAsync(undefined).then(onDone, () => undefined)}
    >
      {children}
    </Button>
  );
}
