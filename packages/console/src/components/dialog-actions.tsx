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
