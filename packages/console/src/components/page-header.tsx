import { Group, Title } from '@mantine/core';
import type { ReactNode } from 'react';

/** A page title with its primary action in the upper right. */
export function PageHeader({ title, action }: { title: string; action?: ReactNode }) {
  return (
    <Group justify="space-between" mb="md" wrap="wrap">
      <Title order={2}>{title}</Title>
      {action}
    </Group>
  );
}
