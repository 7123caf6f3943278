import { auditActions } from '@latchkey/api-client';
import { Accordion, Anchor, Code, Group, Select, SimpleGrid, Stack, Text, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useParams, useSearch } from '@tanstack/react-router';
import { useState } from 'react';
import { useAudit } from '../../api/queries';
import type { AuditQuery } from '../../api/types';

type AuditAction = (typeof auditActions)[number];
import { PageHeader } from '../../components/page-header';
import { Empty, ErrorState, Loading } from '../../components/states';

/** Settings → Audit log: newest first, filterable, paginated; each entry expands to its before/after. */
export function AuditPage() {
  const { org } = useParams({ from: '/orgs/$org/audit' });
  // One of the closed set: the server refuses any other action (400), so the console offers only these.
  const [action, setAction] = useState<AuditAction | null>(null);
  const [target, setTarget] = useState(useSearch({ from: '/orgs/$org/audit' }).target ?? '');
  const [t] = useDebouncedValue(target, 250);
  const [cursors, setCursors] = useState<string[]>([]);
  const query: AuditQuery = {
    limit: 50,
    ...(action ? { action } : {}),
    ...(t ? { targetId: t } : {}),
    ...(cursors.length ? { cursor: cursors[cursors.length - 1]! } : {}),
  };
  const audit = useAudit(org, query);
  return (
    <>
      <PageHeader title="Audit log" />
      <Group mb="md">
        <Select
          aria-label="Filter by action"
          placeholder="Action, e.g. token.revoke"
          data={auditActions}
          searchable
          clearable
          value={action}
          onChange={(value) => {
            setAction((value as AuditAction | null) ?? null);
            setCursors([]);
          }}
        />
        <TextInput
          aria-label="Filter by object id"
          placeholder="Object id, e.g. tok_…"
          value={target}
          onChange={(e) => {
            setTarget(e.currentTarget.value);
            setCursors([]);
          }}
        />
      </Group>
      {audit.isPending ? (
        <Loading />
      ) : audit.isError ? (
        <ErrorState error={audit.error} />
      ) : audit.data.items.length === 0 ? (
        <Empty>No entries.</Empty>
      ) : (
        <Accordion variant="separated" aria-label="Audit entries">
          {audit.data.items.map((e) => (
            <Accordion.Item key={e.id} value={e.id}>
              <Accordion.Control>
                <Group gap="sm" wrap="wrap">
                  <Text size="sm" c="dimmed">
                    {new Date(e.at).toLocaleString()}
                  </Text>
                  <Text size="sm" fw={600}>
                    {e.action}
                  </Text>
                  <Text size="sm">
                    {e.target.type} {e.target.id}
                  </Text>
                  <Text size="sm" c="dimmed">
                    by {e.actor.label ?? e.actor.type}
                    {e.ip ? ` from ${e.ip}` : ''}
                  </Text>
                </Group>
              </Accordion.Control>
              <Accordion.Panel>
                <SimpleGrid cols={{ base: 1, md: 2 }}>
                  <Stack gap={4}>
                    <Text size="xs" fw={600}>
                      Before
                    </Text>
                    <Code block>{JSON.stringify(e.before, null, 2) ?? 'null'}</Code>
                  </Stack>
                  <Stack gap={4}>
                    <Text size="xs" fw={600}>
                      After
                    </Text>
                    <Code block>{JSON.stringify(e.after, null, 2) ?? 'null'}</Code>
                  </Stack>
                </SimpleGrid>
              </Accordion.Panel>
            </Accordion.Item>
          ))}
        </Accordion>
      )}
      <Group justify="flex-end" mt="sm">
        {cursors.length > 0 && (
          <Anchor component="button" onClick={() => setCursors(cursors.slice(0, -1))}>
            Newer
          </Anchor>
        )}
        {audit.data?.nextCursor && (
          <Anchor component="button" onClick={() => setCursors([...cursors, audit.data.nextCursor!])}>
            Older
          </Anchor>
        )}
      </Group>
    </>
  );
}
