import { ActionIcon, Menu } from '@mantine/core';
import {
  createContext,
  useCallback,
  useContext,
  useRef,
  useState,
  type MouseEvent,
  type ReactNode,
} from 'react';
import { readableText } from '../theme';

export type Permission = `${string}:${'view' | 'edit'}`;

export interface RowAction {
  key: string;
  title: string;
  onClick: () => void;
  color?: string;
  disabled?: boolean;
}

/**
 * A row's actions as menu items (role="menuitem"), coloured text that holds 4.5:1 on white. `beforeEach`
 * runs before an item's action (see RowMenuButton).
 */
function items(actions: RowAction[], beforeEach?: () => void) {
  return actions.map((a) => (
    <Menu.Item
      key={a.key}
      color={readableText(a.color)}
      disabled={a.disabled}
      onClick={() => {
        beforeEach?.();
        a.onClick();
      }}
    >
      {a.title}
    </Menu.Item>
  ));
}

// `withInitialFocusPlaceholder`: Mantine's placeholder is a role="presentation" child of the role="menu"
// (not allowed there); without it, the first item takes the focus when the menu opens.
const MENU = { withInitialFocusPlaceholder: false } as const;

/**
 * Each row's actions, reachable three ways: the visible "⋯" button, the keyboard (the button is focusable,
 * the menu navigable with arrow keys), and right-click, which opens the same menu where the pointer is.
 * When the menu closes, focus goes back to the "⋯" button, so a dialog opened from it returns focus there
 * (not to the page's first element) when it closes.
 */
export function RowMenuButton({ label, actions }: { label: string; actions: RowAction[] }) {
  const button = useRef<HTMLButtonElement>(null);
  // Focus is on the button when an action opens its dialog: a Mantine Modal returns focus, on closing, to
  // whatever had it when it opened (the menu item would be gone by then, and focus would fall to <body>).
  const refocus = () => button.current?.focus();
  // Nothing the signed-in member may do to this row (their role grants none of it): no menu at all.
  if (actions.length === 0) return null;
  return (
    <Menu position="bottom-end" withinPortal returnFocus {...MENU}>
      <Menu.Target>
        <ActionIcon ref={button} variant="subtle" aria-label={`Actions for ${label}`} color="gray">
          ⋯
        </ActionIcon>
      </Menu.Target>
      <Menu.Dropdown aria-label={`Actions for ${label}`}>{items(actions, refocus)}</Menu.Dropdown>
    </Menu>
  );
}

interface OpenContextMenu {
  x: number;
  y: number;
  actions: RowAction[];
}
const ContextMenuCtx = createContext<(menu: OpenContextMenu) => void>(() => undefined);

/** Holds the one right-click menu of the page: a Mantine Menu anchored at the pointer. */
export function RowContextMenuProvider({ children }: { children: ReactNode }) {
  const [menu, setMenu] = useState<OpenContextMenu | null>(null);
  return (
    <ContextMenuCtx.Provider value={setMenu}>
      {children}
      {menu && (
        <Menu
          opened
          onChange={(open) => !open && setMenu(null)}
          position="bottom-start"
          withinPortal
          {...MENU}
        >
          <Menu.Target>
            <div aria-hidden style={{ position: 'fixed', left: menu.x, top: menu.y, width: 0, height: 0 }} />
          </Menu.Target>
          <Menu.Dropdown aria-label="Actions">{items(menu.actions)}</Menu.Dropdown>
        </Menu>
      )}
    </ContextMenuCtx.Provider>
  );
}

/** `onContextMenu` for a row: opens its actions at the pointer instead of the browser's menu. */
export function useRowContextMenu() {
  const open = useContext(ContextMenuCtx);
  return useCallback(
    (actions: RowAction[]) => (event: MouseEvent) => {
      // No actions for this member: the browser's own menu, as on any other page element.
      if (actions.length === 0) return;
      event.preventDefault();
      open({ x: event.clientX, y: event.clientY, actions });
    },
    [open],
  );
}
