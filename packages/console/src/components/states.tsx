import { Alert, Center, Loader, Text } from '@mantine/core';
import { errorMessage } from '../api/client';

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <Center py="xl" aria-busy="true">
      <Loader size="sm" mr="sm" />
      <Text c="dimmed">{label}</Text>
    </Center>
  );
}

export function Empty({ children }: { children: string }) {
  return (
    <Text c="dimmed" ta="center" py="xl" data-testid="empty-state">
      {children}
    </Text>
  );
}

export function ErrorState({ error }: { error: unknown }) {
  return (
    <Alert color="red" title="Could not load" role="alert">
      {errorMessage(error)}
    </Alert>
  );
}
