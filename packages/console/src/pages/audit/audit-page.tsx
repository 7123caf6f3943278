import { auditActions } from '@latchkey/api-client';
import {
  Accordion,
  Anchor,
  Button,
  Code,
  Group,
  Menu,
  Select,
  SimpleGrid,
  Stack,
  Text,
  TextInput,
  Tooltip,
} from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useParams, useSearch } from '@tanstack/react-router';
import { useState } from 'react';
import { useAudit, useMembers } from '../../api/queries';
import type { AuditQuery } from '../../api/types';
import { PageHeader } from '../../components/page-header';
import { Empty, ErrorState, Loading } from '../../components/states';
import { actorName, dayBound, targetLabel, targetName } from './audit-names';

type AuditAction = (typeof auditActions)[number];
type Filters = Omit<AuditQuery, 'limit' | 'cursor'>;

/** The export's address: the same filters, the whole log rather than a page, as a download. */
function exportHref(org: string, filters: Filters, format: 'csv' | 'jsonl'): string {
  const q = new URLSearchParams({ format });
  for (const [k, v] of Object.entries(filters)) if (typeof v === 'string' && v) q.set(k, v);
  return `/api/v1/orgs/${encodeURIComponent(org)}/audit-log/export?${q.toString()}`;
}

/**
 * Settings → Audit log: newest first, filtered by action, actor, object and day, paginated; each entry names
 * its actor and object (their ids on hover) and expands to its before/after. Export downloads everything
 * the filters match, as CSV or JSON lines.
 */
export function AuditPage() {
  const { org } = useParams({ from: '/orgs/$org/audit' });
  const members = useMembers(org);
  // One of the closed set: the server refuses any other action (400), so the console offers only these.
  const [action, setAction] = useState<AuditAction | null>(null);
  const [actor, setActor] = useState<string | null>(null);
  const [target, setTarget] = useState(useSearch({ from: '/orgs/$org/audit' }).target ?? '');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [t] = useDebouncedValue(target.trim(), 250);
  const [cursors, setCursors] = useState<string[]>([]);
  const since = dayBound(from, 'since');
  const until = dayBound(to, 'until');
  const filters: Filters = {
    ...(action ? { action } : {}),
    ...(actor ? { actorId: actor } : {}),
    ...(t ? { targetId: t } : {}),
    ...(since ? { since } : {}),
    ...(until ? { until } : {}),
  };
  const query: AuditQuery = {
    limit: 50,
    ...filters,
    ...(cursors.length ? { cursor: cursors[cursors.length - 1]! } : {}),
  };
  const audit = useAudit(org, query);
  // Any filter change starts again from the newest entry.
  const changed =
    <T,>(set: (v: T) => void) =>
    (v: T) => {
      set(v);
      setCursors([]);
    };
  const badRange = since && until && since >= until ? 'The last day is before the first.' : null;

  return (
    <>
      <PageHeader
        title="Audit log"
        action={
          <Menu position="bottom-end">
            <Menu.Target>
              <Button variant="default">Export</Button>
            </Menu.Target>
            <Menu.Dropdown aria-label="Export">
              <Menu.Item component="a" href={exportHref(org, filters, 'csv')} download>
                CSV (spreadsheets)
              </Menu.Item>
              <Menu.Item component="a" href={exportHref(org, filters, 'jsonl')} download>
                JSON lines
              </Menu.Item>
            </Menu.Dropdown>
          </Menu>
        }
      />
      <Group mb="md" gap="sm" wrap="wrap" align="flex-start">
        <Select
          aria-label="Filter by action"
          placeholder="Any action"
          data={auditActions}
          searchable
          clearable
          value={action}
          onChange={changed((value) => setAction((value as AuditAction | null) ?? null))}
          w={210}
        />
        <Select
          aria-label="Filter by actor"
          placeholder="Anyone"
          data={(members.data ?? []).map((m) => ({ value: m.userId, label: m.email }))}
          searchable
          clearable
          value={actor}
          onChange={changed(setActor)}
          w={210}
        />
        <TextInput
          aria-label="Filter by object id"
          placeholder="Object id, e.g. tok_…"
          value={target}
          onChange={(e) => changed(setTarget)(e.currentTarget.value)}
          w={200}
        />
        <TextInput
          aria-label="From day"
          type="date"
          value={from}
          onChange={(e) => changed(setFrom)(e.currentTarget.value)}
          w={160}
        />
        <TextInput
          aria-label="To day"
          type="date"
          value={to}
          onChange={(e) => changed(setTo)(e.currentTarget.value)}
          error={badRange}
          w={160}
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
          {audit.data.items.map((e) => {
            const name = targetName(e);
            return (
              <Accordion.Item key={e.id} value={e.id} data-testid={`audit-${e.id}`}>
                <Accordion.Control>
                  <Group gap="sm" wrap="wrap">
                    <Text size="sm" c="dimmed">
                      {new Date(e.at).toLocaleString()}
                    </Text>
                    <Text size="sm" fw={600}>
                      {e.action}
                    </Text>
                    <Tooltip label={e.target.id ?? ''} disabled={!name || !e.target.id}>
                      <Text size="sm" data-testid="audit-target">
                        {targetLabel(e)}
                      </Text>
                    </Tooltip>
                    <Tooltip label={e.actor.id ?? e.actor.type} disabled={!e.actor.id}>
                      <Text size="sm" c="dimmed" data-testid="audit-actor">
                        by {actorName(e)}
                        {e.ip ? ` from ${e.ip}` : ''}
                      </Text>
                    </Tooltip>
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
            );
          })}
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
