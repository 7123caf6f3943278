import { Modal, type ModalProps } from '@mantine/core';
import { useEffect, useState } from 'react';

/**
 * A Mantine Modal that gives focus back when it goes away. Most of the console's dialogs are mounted only
 * while open (`{open && <Dialog opened …/>}`); Mantine returns focus when `opened` turns false, which then
 * never happens, and focus fell to <body> (the next Tab went to "Sign out"). This one remembers what had
 * focus when it appeared (a row's "⋯" button, a page's "Add" button) and focuses it again once it is
 * gone, unless something else has taken focus in between.
 */
export function Dialog(props: ModalProps) {
  const [opener] = useState(() =>
    document.activeElement instanceof HTMLElement && document.activeElement !== document.body
      ? document.activeElement
      : null,
  );
  useEffect(
    () => () => {
      // After React has removed the dialog (and with it the element that had focus).
      setTimeout(() => {
        const active = document.activeElement;
        if (opener?.isConnected && (active === null || active === document.body)) opener.focus();
      });
    },
    [opener],
  );
  return <Modal {...props} />;
}
