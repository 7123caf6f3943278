import { ActionIcon, Menu } from '@mantine/core';
import { useContextMenu } from 'mantine-contextmenu';
import type { MouseEvent } from 'react';

export interface RowAction {
  key: string;
  title: string;
  onClick: () => void;
  color?: string;
  disabled?: boolean;
}

/**
 * Each row's actions, reachable three ways: right-click (context menu), the visible "⋯" button, and
 * the keyboard (the button is focusable; the menu is navigable with arrow keys).
 */
export function useRowContextMenu() {
  const { showContextMenu } = useContextMenu();
  return (actions: RowAction[]) => (event: MouseEvent) =>
    showContextMenu(
      actions.map((a) => ({
        key: a.key,
        title: a.title,
        onClick: a.onClick,
        color: a.color,
        disabled: a.disabled,
      })),
    )(event);
}

export function RowMenuButton({ label, actions }: { label: string; actions: RowAction[] }) {
  return (
    <Menu position="bottom-end" withinPortal>
      <Menu.Target>
        <ActionIcon variant="subtle" aria-label={`Actions for ${label}`} color="gray">
          ⋯
        </ActionIcon>
      </Menu.Target>
      <Menu.Dropdown>
        {actions.map((a) => (
          <Menu.Item key={a.key} color={a.color} disabled={a.disabled} onClick={a.onClick}>
            {a.title}
          </Menu.Item>
        ))}
      </Menu.Dropdown>
    </Menu>
  );
}
