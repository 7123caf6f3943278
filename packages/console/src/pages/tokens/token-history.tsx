import { Stack, Table, Text, Title } from '@mantine/core';
import { useAudit } from '../../api/queries';
import { AnchorLink } from '../../components/anchor-link';
import { Loading } from '../../components/states';
import { timeText } from './token-status';

/**
 * The token's history from the audit log: created, rotated (and when the old value retired), suspended,
 * reported leaked… The last 20 changes; the audit log has them all. Needs audit_log:view: without it the
 * section says so instead of failing the page.
 */
export function TokenHistory({ org, tokenId }: { org: string; tokenId: string }) {
  const audit = useAudit(org, { targetId: tokenId, limit: 20 });
  return (
    <Stack gap="xs">
      <Title order={3} size="h4">
        History
      </Title>
      {audit.isPending ? (
        <Loading />
      ) : audit.isError ? (
        <Text size="sm" c="dimmed">
          The token's history is in the audit log, which your role cannot view.
        </Text>
      ) : (
        <>
          <Table aria-label="Token history" withTableBorder>
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
                  <Table.Td>{e.actor.label ?? e.actor.type}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
          <AnchorLink to="/orgs/$org/audit" params={{ org }} search={{ target: tokenId }} size="sm">
            All of it in the audit log
          </AnchorLink>
        </>
      )}
    </Stack>
  );
}
