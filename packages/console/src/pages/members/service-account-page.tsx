import { Badge, Group, Stack, Table, Text, Title } from '@mantine/core';
import { useParams } from '@tanstack/react-router';
import type { ReactNode } from 'react';
import { useServiceAccount, useTokens } from '../../api/queries';
import { AnchorLink } from '../../components/anchor-link';
import { PageHeader } from '../../components/page-header';
import { Empty, ErrorState, Loading, QueryFallback } from '../../components/states';
import { FactsTable } from '../../components/facts-table';
import { ObjectHistory } from '../audit/object-history';
import { describeRateLimit } from '../tokens/limit-fields';
import { timeText, TokenExpiry, TokenStatusBadges } from '../tokens/token-status';

/**
 * One service account: its role and settings, every token it owns (live first; revoked ones stay listed for
 * the record) with when each was last used, and its history from the audit log. Its changes are made from
 * its row on Members → Service Accounts.
 */
export function ServiceAccountPage() {
  const { org, id } = useParams({ from: '/orgs/$org/service-accounts/$id' });
  const sa = useServiceAccount(org, id);
  const back = (
    <AnchorLink to="/orgs/$org/members" params={{ org }} search={{ tab: 'service-accounts' }} size="sm">
      ← Service accounts
    </AnchorLink>
  );
  if (!sa.isSuccess) return <QueryFallback query={sa} before={back} />;
  const a = sa.data;
  const facts: [string, ReactNode][] = [
    ['Role', a.roleName],
    ['Status', a.status === 'active' ? 'active' : `disabled since ${timeText(a.disabledAt ?? a.updatedAt)}`],
    ['Description', a.description ?? '—'],
    ['Contact e-mail', a.contactEmail ?? "none (expiry notices go to the org's Owners)"],
    [
      'Rate limits',
      a.rateLimits.length
        ? `${a.rateLimits.map(describeRateLimit).join(' · ')} (for tokens with none)`
        : 'none',
    ],
    ['Created', timeText(a.createdAt)],
  ];
  return (
    <Stack gap="md">
      {back}
      <PageHeader title={a.name} />
      <Group gap="xs">
        <Badge color={a.status === 'active' ? 'green' : 'gray'}>{a.status}</Badge>
        <Badge variant="light">{a.roleName}</Badge>
      </Group>
      <FactsTable label="Service account details" facts={facts} />
      <OwnedTokens org={org} serviceAccountId={a.id} />
      <ObjectHistory org={org} targetId={a.id} noun="service account" />
    </Stack>
  );
}

function OwnedTokens({ org, serviceAccountId }: { org: string; serviceAccountId: string }) {
  const tokens = useTokens(org, { owner: serviceAccountId, status: 'all', limit: 200 });
  return (
    <Stack gap="xs">
      <Title order={3} size="h4">
        Tokens
      </Title>
      {tokens.isPending ? (
        <Loading />
      ) : tokens.isError ? (
        <ErrorState error={tokens.error} />
      ) : tokens.data.items.length === 0 ? (
        <Empty>It owns no tokens yet.</Empty>
      ) : (
        <Table.ScrollContainer minWidth={560}>
          <Table aria-label="Its tokens" withTableBorder>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Name</Table.Th>
                <Table.Th>Type</Table.Th>
                <Table.Th>Last used</Table.Th>
                <Table.Th>Expires</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {[...tokens.data.items]
                .sort((x, y) => Number(x.status === 'revoked') - Number(y.status === 'revoked'))
                .map((t) => (
                  <Table.Tr key={t.id}>
                    <Table.Td>
                      <AnchorLink to="/orgs/$org/tokens/$id" params={{ org, id: t.id }} fw={500}>
                        {t.name}
                      </AnchorLink>{' '}
                      <TokenStatusBadges token={t} />
                    </Table.Td>
                    <Table.Td>
                      <Badge color={t.type === 'public' ? 'blue' : 'grape'}>{t.type}</Badge>
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm">
                        {t.lastUsedAt
                          ? `${timeText(t.lastUsedAt)}${t.lastUsedOrigin ? ` · ${t.lastUsedOrigin}` : ''}`
                          : 'never'}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      <TokenExpiry expiresAt={t.expiresAt} />
                    </Table.Td>
                  </Table.Tr>
                ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </Stack>
  );
}
