import { Alert, Center, Loader, Stack, Text, type MantineSpacing } from '@mantine/core';
import type { ReactNode } from 'react';
import { errorMessage } from '../api/client';

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <Center py="xl" aria-busy="true">
      <Loader size="sm" mr="sm" />
      <Text c="dimmed">{label}</Text>
    </Center>
  );
}

/** Nothing to list, and (`action`) the button or link that is the next step, right under the sentence. */
export function Empty({ children, action }: { children: string; action?: ReactNode }) {
  return (
    <Stack align="center" gap="sm" py="xl" data-testid="empty-state">
      <Text c="dimmed" ta="center">
        {children}
      </Text>
      {action}
    </Stack>
  );
}

export function ErrorState({ error }: { error: unknown }) {
  return (
    <Alert color="red" title="Could not load" role="alert">
      {errorMessage(error)}
    </Alert>
  );
}

/**
 * What a page shows until its query has data: a spinner while it loads, else the error, after `before`
 * (the page's title or back link) when given. Use as `if (!q.isSuccess) return <QueryFallback query={q} />`.
 */
export function QueryFallback({
  query,
  before,
}: {
  query: { isPending: boolean; error: unknown };
  before?: ReactNode;
}) {
  if (query.isPending) return <Loading />;
  if (before === undefined) return <ErrorState error={query.error} />;
  return (
    <Stack>
      {before}
      <ErrorState error={query.error} />
    </Stack>
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
