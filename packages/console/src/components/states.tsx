import { Alert, Center, Loader, Text, type MantineSpacing } from '@mantine/core';
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

/** A change the server refused (or that failed), in its words; nothing when there is no error. */
export function ErrorAlert({ error, mb }: { error: unknown; mb?: MantineSpacing }) {
  if (!error) return null;
  return (
    <Alert color="red" mb={mb} role="alert">
      {errorMessage(error)}
    </Alert>
  );
}
