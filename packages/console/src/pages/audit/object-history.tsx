import { Stack, Table, Text, Title } from '@mantine/core';
import { useAudit } from '../../api/queries';
import { AnchorLink } from '../../components/anchor-link';
import { Loading } from '../../components/states';
import { timeText } from '../tokens/token-status';
import { actorName } from './audit-names';

/**
 * One object's history from the audit log (a token: created, rotated, suspended, reported leaked…; a service
 * account: created, renamed, disabled…): its last 20 changes, and a link to all of them. Needs
 * audit_log:view: without it the section says so instead of failing the page.
 */
export function ObjectHistory({ org, targetId, noun }: { org: string; targetId: string; noun: string }) {
  const audit = useAudit(org, { targetId, limit: 20 });
  return (
    <Stack gap="xs">
      <Title order={3} size="h4">
        History
      </Title>
      {audit.isPending ? (
        <Loading />
      ) : audit.isError ? (
        <Text size="sm" c="dimmed">
          The {noun}'s history is in the audit log, which your role cannot view.
        </Text>
      ) : (
        <>
          <Table aria-label={`${noun[0]!.toUpperCase()}${noun.slice(1)} history`} withTableBorder>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>When</Table.Th>
                <Table.Th>What</Table.Th>
                <Table.Th>By</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {audit.data.items.map((e) => (
                <Table.Tr key={e.id}>
                  <Table.Td>{timeText(e.at)}</Table.Td>
                  <Table.Td>{e.action}</Table.Td>
                  <Table.Td>{actorName(e)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
          <AnchorLink to="/orgs/$org/audit" params={{ org }} search={{ target: targetId }} size="sm">
            All of it in the audit log
          </AnchorLink>
        </>
      )}
    </Stack>
  );
}
