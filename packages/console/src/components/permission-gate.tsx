import { Button, Tooltip, VisuallyHidden, type ButtonProps } from '@mantine/core';
import { useId, type MouseEvent, type ReactNode } from 'react';
import { useGrants } from '../api/queries';
import type { Permission } from './row-actions';

export type { Permission };

/** Why a control is unavailable to the signed-in member: the permission it needs, in one sentence. */
export const needsText = (permission: Permission) => `Needs the ${permission} permission`;

/**
 * Which permissions the signed-in member (or token) holds, as a yes/no check. While the console cannot
 * tell (the role is still loading, or the caller is not a member) it says yes: the control is offered and
 * the server decides, as it always does. Only a known "no" hides or disables anything.
 */
export function useAllows(org: string): (permission: Permission) => boolean {
  const grants = useGrants(org);
  return (permission) => grants(permission) !== false;
}

/**
 * A page's write action for a member whose role may lack it: the button stays in its place, disabled, and
 * says which permission it needs on hover and to a screen reader (a disabled `<button>` fires no pointer
 * events and takes no focus, so it is `aria-disabled` instead: it ignores clicks, and its tooltip shows on
 * hover and on keyboard focus).
 */
export function GatedButton({
  allowed,
  permission,
  onClick,
  children,
  ...props
}: ButtonProps & {
  allowed: boolean;
  permission: Permission;
  onClick: () => void;
  children: ReactNode;
}) {
  const reason = useId();
  if (allowed)
    return (
      <Button {...props} onClick={onClick}>
        {children}
      </Button>
    );
  return (
    <>
      <Tooltip label={needsText(permission)} events={{ hover: true, focus: true, touch: true }}>
        <Button
          {...props}
          data-disabled
          aria-disabled
          aria-describedby={reason}
          onClick={(e: MouseEvent) => e.preventDefault()}
        >
          {children}
        </Button>
      </Tooltip>
      <VisuallyHidden id={reason}>{needsText(permission)}</VisuallyHidden>
    </>
  );
}
