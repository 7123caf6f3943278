import { Group, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { lazy, Suspense } from 'react';
import { useTokenUsage } from '../../api/queries';
import type { TokenUsageReport as Usage } from '../../api/types';
import { Loading } from '../../components/states';
import { timeText } from './token-status';

// The chart library is most of a chart's weight: loaded with the first token page, not with the console.
const UsageChart = lazy(() => import('./usage-chart'));

/** Colours for the series: successes green, each refusal code its own (the same code, the same colour). */
const COLORS = ['red.6', 'orange.6', 'yellow.6', 'grape.6', 'pink.6', 'violet.6', 'cyan.6', 'gray.6'];

/** The chart's rows: one per day, `valid` and one key per refusal code seen in the range. */
export function usageSeries(usage: Usage) {
  const codes = [...new Set(usage.days.flatMap((d) => Object.keys(d.refused)))].sort();
  const data = usage.days.map((d) => ({
    day: d.day.slice(5),
    valid: d.valid,
    ...Object.fromEntries(codes.map((c) => [c, d.refused[c] ?? 0])),
  }));
  const series = [
    { name: 'valid', color: 'teal.6' },
    ...codes.map((c, i) => ({ name: c, color: COLORS[i % COLORS.length]! })),
  ];
  return { data, series, codes };
}

/**
 * The token's last 30 days: verifications per day, successes and refusals by code (what the platform sees
 * when a customer says "my site broke"), and where it was used from. Counts arrive with the usage flush.
 */
export function TokenUsage({ org, tokenId }: { org: string; tokenId: string }) {
  const usage = useTokenUsage(org, tokenId);
  if (usage.isPending) return <Loading />;
  if (usage.isError) return null;
  const u = usage.data;
  const { data, series, codes } = usageSeries(u);
  const total = (key: 'valid' | string) =>
    u.days.reduce((n, d) => n + (key === 'valid' ? d.valid : (d.refused[key] ?? 0)), 0);
  return (
    <Stack gap="xs" component="section" aria-label="Usage">
      <Title order={3} size="h4">
        Usage, last 30 days
      </Title>
      <Group gap="lg">
        <Text size="sm">
          <b>{total('valid').toLocaleString('en')}</b> valid
        </Text>
        {codes.map((c) => (
          <Text size="sm" key={c}>
            <b>{total(c).toLocaleString('en')}</b> {c}
          </Text>
        ))}
      </Group>
      <Suspense fallback={<Loading />}>
        <UsageChart data={data} series={series} />
      </Suspense>
      <SimpleGrid cols={{ base: 1, md: 2 }}>
        <Sources title="Origins" rows={u.origins} />
        <Sources title="Addresses" rows={u.addresses} />
      </SimpleGrid>
      <Text size="xs" c="dimmed">
        UTC days; kept {u.retentionDays} days. The most recent 20 origins and addresses.
      </Text>
    </Stack>
  );
}

function Sources({ title, rows }: { title: string; rows: Usage['origins'] }) {
  return (
    <Table aria-label={title} withTableBorder fz="sm">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>{title}</Table.Th>
          <Table.Th>Uses</Table.Th>
          <Table.Th>Last seen</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {rows.length === 0 ? (
          <Table.Tr>
            <Table.Td colSpan={3}>
              <Text size="sm" c="dimmed">
                none yet
              </Text>
            </Table.Td>
          </Table.Tr>
        ) : (
          rows.map((r) => (
            <Table.Tr key={r.value}>
              <Table.Td style={{ wordBreak: 'break-all' }}>{r.value}</Table.Td>
              <Table.Td>{r.count.toLocaleString('en')}</Table.Td>
              <Table.Td title={`first seen ${timeText(r.firstSeenAt)}`}>{timeText(r.lastSeenAt)}</Table.Td>
            </Table.Tr>
          ))
        )}
      </Table.Tbody>
    </Table>
  );
}
