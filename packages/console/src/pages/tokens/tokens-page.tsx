import {
  Anchor,
  Badge,
  Button,
  Checkbox,
  Group,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
  Tooltip,
} from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useParams } from '@tanstack/react-router';
import { useState } from 'react';
import { useMembers, useServiceAccounts, useTokens } from '../../api/queries';
import type { TokenQuery } from '../../api/types';
import { AnchorLink } from '../../components/anchor-link';
import { PageHeader } from '../../components/page-header';
import { RowMenuButton, useRowContextMenu } from '../../components/row-actions';
import { Empty, ErrorState, Loading } from '../../components/states';
import { AddTokenModal } from './add-token-modal';
import { useTokenActions } from './token-actions';
import { PreviousValueNote, TokenExpiry, TokenStatusBadges } from './token-status';

/**
 * Settings → Tokens: filters, search, pages; per-row actions (rotate, reassign, edit, suspend, report leaked,
 * revoke); bulk reassign of legacy tokens. A token's name opens its page.
 */
export function TokensPage() {
  const { org } = useParams({ from: '/orgs/$org/tokens' });
  const [type, setType] = useState<string | null>(null);
  const [owner, setOwner] = useState<string | null>(null);
  const [status, setStatus] = useState<string>('active');
  const [search, setSearch] = useState('');
  const [debounced] = useDebouncedValue(search, 250);
  const [cursors, setCursors] = useState<string[]>([]);
  const query: TokenQuery = {
    status: status as TokenQuery['status'],
    limit: 50,
    ...(type ? { type: type as TokenQuery['type'] } : {}),
    ...(owner ? { owner } : {}),
    ...(debounced ? { search: debounced } : {}),
    ...(cursors.length ? { cursor: cursors[cursors.length - 1]! } : {}),
  };
  const tokens = useTokens(org, query);
  const accounts = useServiceAccounts(org);
  const members = useMembers(org);
  const contextMenu = useRowContextMenu();
  const [adding, setAdding] = useState(false);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const { actions, open, reveal, ui } = useTokenActions(org, { afterReassign: () => setSelected(new Set()) });

  const resetPaging = () => setCursors([]);
  const items = tokens.data?.items ?? [];
  const legacySelected = items.filter((t) => selected.has(t.id) && t.legacy);
  const ownerOptions = [
    { group: 'Service accounts', items: (accounts.data ?? []).map((a) => ({ value: a.id, label: a.name })) },
    {
      group: 'People (legacy tokens)',
      items: (members.data ?? []).map((m) => ({ value: m.userId, label: m.email })),
    },
  ];

  return (
    <>
      <PageHeader title="Tokens" action={<Button onClick={() => setAdding(true)}>Add Token</Button>} />
      <Group mb="md" gap="sm" wrap="wrap">
        <TextInput
          aria-label="Search tokens by name"
          placeholder="Search by name"
          value={search}
          onChange={(e) => {
            setSearch(e.currentTarget.value);
            resetPaging();
          }}
          w={200}
        />
        <Select
          aria-label="Type"
          placeholder="Any type"
          clearable
          data={[
            { value: 'public', label: 'Public' },
            { value: 'private', label: 'Private' },
          ]}
          value={type}
          onChange={(v) => {
            setType(v);
            resetPaging();
          }}
          w={130}
        />
        <Select
          aria-label="Owner"
          placeholder="Any owner"
          clearable
          searchable
          data={ownerOptions}
          value={owner}
          onChange={(v) => {
            setOwner(v);
            resetPaging();
          }}
          w={200}
        />
        <Select
          aria-label="Status"
          data={[
            { value: 'active', label: 'Active' },
            { value: 'expired', label: 'Expired' },
            { value: 'revoked', label: 'Revoked' },
            { value: 'all', label: 'All' },
          ]}
          value={status}
          onChange={(v) => {
            setStatus(v ?? 'active');
            resetPaging();
          }}
          allowDeselect={false}
          w={120}
        />
        {legacySelected.length > 0 && (
          <Button
            variant="light"
            color="orange"
            onClick={() => open({ kind: 'reassign', tokens: legacySelected })}
          >
            Reassign {legacySelected.length} selected
          </Button>
        )}
      </Group>
      {ui}
      {tokens.isPending ? (
        <Loading />
      ) : tokens.isError ? (
        <ErrorState error={tokens.error} />
      ) : items.length === 0 ? (
        <Empty>No tokens match.</Empty>
      ) : (
        <Table.ScrollContainer minWidth={900}>
          <Table highlightOnHover aria-label="Tokens" verticalSpacing="xs">
            <Table.Thead>
              <Table.Tr>
                <Table.Th w={32} />
                <Table.Th>Name</Table.Th>
                <Table.Th>Type</Table.Th>
                <Table.Th>Owner</Table.Th>
                <Table.Th>Domains</Table.Th>
                <Table.Th>Permissions</Table.Th>
                <Table.Th>Created</Table.Th>
                <Table.Th>Last used</Table.Th>
                <Table.Th>Expires</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {items.map((t) => (
                <Table.Tr
                  key={t.id}
                  data-testid={`token-row-${t.name}`}
                  onContextMenu={contextMenu(actions(t))}
                >
                  <Table.Td>
                    {t.legacy && t.status !== 'revoked' && (
                      <Checkbox
                        aria-label={`Select ${t.name}`}
                        checked={selected.has(t.id)}
                        onChange={(e) => {
                          const next = new Set(selected);
                          if (e.currentTarget.checked) next.add(t.id);
                          else next.delete(t.id);
                          setSelected(next);
                        }}
                      />
                    )}
                  </Table.Td>
                  <Table.Td>
                    <AnchorLink to="/orgs/$org/tokens/$id" params={{ org, id: t.id }} fw={500}>
                      {t.name}
                    </AnchorLink>
                    <Text size="xs" c="dimmed" ff="monospace">
                      {t.hint}
                    </Text>
                    <PreviousValueNote token={t} />
                    <Group gap={4}>
                      <TokenStatusBadges token={t} />
                    </Group>
                  </Table.Td>
                  <Table.Td>
                    <Badge color={t.type === 'public' ? 'blue' : 'grape'}>{t.type}</Badge>
                  </Table.Td>
                  <Table.Td data-testid="token-owner">
                    {t.owner.type === 'service_account' ? (
                      <Text size="sm">
                        {t.owner.name}
                        {t.owner.deleted ? ' (deleted)' : ''}
                      </Text>
                    ) : (
                      <Stack gap={0}>
                        <Text size="sm">{t.owner.email}</Text>
                        <Badge size="xs" color="orange" variant="light">
                          user-owned — reassign to a service account
                        </Badge>
                      </Stack>
                    )}
                  </Table.Td>
                  <Table.Td>
                    {t.domains.length ? (
                      t.domains.map((d) => (
                        <Text key={d} size="xs">
                          {d}
                        </Text>
                      ))
                    ) : (
                      <Text size="xs" c="dimmed">
                        any (private)
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td>
                    <Tooltip label={t.effectivePermissions.join(', ') || 'none'} multiline w={260}>
                      <Text size="sm">
                        {t.permissions
                          ? `${t.effectivePermissions.length} selected`
                          : `all of ${t.owner.type === 'service_account' ? 'its role' : "the owner's role"}`}
                      </Text>
                    </Tooltip>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{new Date(t.createdAt).toLocaleDateString()}</Text>
                  </Table.Td>
                  <Table.Td>
                    {t.lastUsedAt ? (
                      <Stack gap={0}>
                        <Text size="sm">{new Date(t.lastUsedAt).toLocaleString()}</Text>
                        <Text size="xs" c="dimmed">
                          {t.lastUsedOrigin ?? 'no origin'} · {t.usesLast7Days} in 7 days
                        </Text>
                      </Stack>
                    ) : (
                      <Text size="sm" c="dimmed">
                        never
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td>
                    <TokenExpiry expiresAt={t.expiresAt} />
                  </Table.Td>
                  <Table.Td>
                    <RowMenuButton label={t.name} actions={actions(t)} />
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      <Group justify="flex-end" mt="sm">
        {cursors.length > 0 && (
          <Anchor component="button" onClick={() => setCursors(cursors.slice(0, -1))}>
            Previous page
          </Anchor>
        )}
        {tokens.data?.nextCursor && (
          <Anchor component="button" onClick={() => setCursors([...cursors, tokens.data.nextCursor!])}>
            Next page
          </Anchor>
        )}
      </Group>
      <AddTokenModal
        org={org}
        opened={adding}
        onClose={() => setAdding(false)}
        onCreated={(value, token) => reveal({ value, type: token.type })}
      />
    </>
  );
}
