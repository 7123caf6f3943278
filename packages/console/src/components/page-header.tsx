import { Group, Title } from '@mantine/core';
import { useEffect, type ReactNode } from 'react';

/**
 * A page's title with its primary action in the upper right. The title is the page's one `<h1>` and names
 * the browser tab ("Tokens · Latchkey"), so a screen reader and the tab list tell pages apart.
 */
export function PageHeader({ title, action }: { title: string; action?: ReactNode }) {
  useEffect(() => {
    document.title = `${title} · Latchkey`;
  }, [title]);
  return (
    <Group justify="space-between" mb="md" wrap="wrap">
      <Title order={1} size="h2">
        {title}
      </Title>
      {action && <div data-testid="page-actions">{action}</div>}
    </Group>
  );
}
