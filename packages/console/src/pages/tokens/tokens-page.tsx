import {
  Alert,
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
import { useNavigate, useParams, useSearch } from '@tanstack/react-router';
import { useState } from 'react';
import { call, lk } from '../../api/client';
import { useMembers, useServiceAccounts, useTokenByValue, useTokens } from '../../api/queries';
import type { TokenQuery } from '../../api/types';
import { AnchorLink } from '../../components/anchor-link';
import { PageHeader } from '../../components/page-header';
import { SortHeader } from '../../components/sort-header';
import { GatedButton, useAllows } from '../../components/permission-gate';
import { RowMenuButton, useRowContextMenu } from '../../components/row-actions';
import { Empty, ErrorAlert, ErrorState, Loading } from '../../components/states';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { AddTokenModal } from './add-token-modal';
import { looksLikeTokenValue, type TokenFilters, type TokenSort } from './token-filters';
import { useTokenActions } from './token-actions';
import { PreviousValueNote, TokenExpiry, TokenStatusBadges } from './token-status';

/**
 * Settings → Tokens: filters (kept in the URL), search, pages; per-row actions (rotate, reassign, edit,
 * suspend, report leaked, revoke); bulk reassign and bulk revoke of the selected tokens, each one request
 * (all or nothing). A token's name opens its page.
 */
export function TokensPage() {
  const { org } = useParams({ from: '/orgs/$org/tokens' });
  const filters = useSearch({ from: '/orgs/$org/tokens' });
  const navigate = useNavigate({ from: '/orgs/$org/tokens' });
  const [search, setSearch] = useState(filters.q ?? '');
  const [debounced] = useDebouncedValue(search, 250);
  const [cursors, setCursors] = useState<string[]>([]);
  const setFilter = (change: Partial<TokenFilters>) => {
    setCursors([]);
    setSelected(new Set());
    setAllMatching(false);
    void navigate({
      search: (prev) => {
        const next: Record<string, string | undefined> = { ...prev, ...change };
        // Absent, not empty: the URL names only the filters in use.
        for (const k of Object.keys(next)) if (!next[k]) delete next[k];
        return next as TokenFilters;
      },
      replace: true,
    });
  };
  // Filters that narrow the list beyond "active": what "Clear filters" undoes.
  const filtered = Boolean(filters.type || filters.owner || (debounced && !looksLikeTokenValue(debounced)));
  const clearFilters = () => {
    setSearch('');
    setFilter({ type: undefined, owner: undefined, q: undefined });
  };
  const query: TokenQuery = {
    status: filters.status ?? 'active',
    limit: 50,
    ...(filters.type ? { type: filters.type } : {}),
    ...(filters.owner ? { owner: filters.owner } : {}),
    ...(filters.sort ? { sort: filters.sort } : {}),
    // A possible token value is looked up by POST only (below), never sent in a URL.
    ...(debounced && !looksLikeTokenValue(debounced) ? { search: debounced } : {}),
    ...(cursors.length ? { cursor: cursors[cursors.length - 1]! } : {}),
  };
  const tokens = useTokens(org, query);
  const pasted = looksLikeTokenValue(debounced) ? debounced.trim() : null;
  const byValue = useTokenByValue(org, pasted);
  const accounts = useServiceAccounts(org);
  const members = useMembers(org);
  const contextMenu = useRowContextMenu();
  const [adding, setAdding] = useState(false);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  // "Select all N matching": every live token the filters match, on every page (sent as filters, not ids).
  const [allMatching, setAllMatching] = useState(false);
  const [revoking, setRevoking] = useState(false);
  const { actions, open, reveal, ui } = useTokenActions(org, {
    afterReassign: () => {
      setSelected(new Set());
      setAllMatching(false);
    },
  });
  const canEdit = useAllows(org)('tokens:edit');

  const items = tokens.data?.items ?? [];
  // Selection is for the bulk actions, which all change tokens: none without tokens:edit.
  const selectable = canEdit ? items.filter((t) => t.status !== 'revoked') : [];
  const chosen = selectable.filter((t) => selected.has(t.id));
  const total = tokens.data?.total ?? 0;
  // The filters as the bulk endpoint takes them: live tokens only (revoked ones cannot change).
  const matching = {
    ...(filters.owner ? { owner: filters.owner } : {}),
    ...(filters.type ? { type: filters.type } : {}),
    ...(filters.status === 'expired' ? { status: 'expired' as const } : {}),
    ...(debounced && !looksLikeTokenValue(debounced) ? { search: debounced } : {}),
  };
  // One bulk change takes at most this many tokens (the server's limit).
  const BULK_MAX = 1000;
  // Offered when the whole page is selected and more match beyond it (not over revoked or mixed lists).
  const canSelectAllMatching =
    (filters.status === undefined || filters.status === 'expired') &&
    selectable.length > 0 &&
    chosen.length === selectable.length &&
    total > selectable.length &&
    total <= BULK_MAX;
  const bulkCount = allMatching ? total : chosen.length;
  // Another page: the selection was this page's.
  const turnPage = (next: string[]) => {
    setCursors(next);
    setSelected(new Set());
    setAllMatching(false);
  };
  const toggle = (ids: string[], on: boolean) => {
    setAllMatching(false);
    const next = new Set(selected);
    for (const id of ids) {
      if (on) next.add(id);
      else next.delete(id);
    }
    setSelected(next);
  };
  const sort: TokenSort = filters.sort ?? 'created_desc';
  const sortBy = (next: TokenSort) => setFilter({ sort: next === 'created_desc' ? undefined : next });
  const ownerOptions = [
    { group: 'Service accounts', items: (accounts.data ?? []).map((a) => ({ value: a.id, label: a.name })) },
    {
      group: 'People (legacy tokens)',
      items: (members.data ?? []).map((m) => ({ value: m.userId, label: m.email })),
    },
  ];

  return (
    <>
      <PageHeader
        title="Tokens"
        action={
          <GatedButton allowed={canEdit} permission="tokens:edit" onClick={() => setAdding(true)}>
            Add Token
          </GatedButton>
        }
      />
      <Group mb="md" gap="sm" wrap="wrap">
        <TextInput
          aria-label="Search tokens by name, hint or value"
          placeholder="Name, hint or pasted value"
          value={search}
          onChange={(e) => {
            const text = e.currentTarget.value;
            setSearch(text);
            // A possible token value stays out of the URL.
            setFilter({ q: looksLikeTokenValue(text) ? undefined : text });
          }}
          w={240}
        />
        <Select
          aria-label="Type"
          placeholder="Any type"
          clearable
          data={[
            { value: 'public', label: 'Public' },
            { value: 'private', label: 'Private' },
          ]}
          value={filters.type ?? null}
          onChange={(v) => setFilter({ type: (v ?? undefined) as TokenFilters['type'] })}
          w={130}
        />
        <Select
          aria-label="Owner"
          placeholder="Any owner"
          clearable
          searchable
          data={ownerOptions}
          value={filters.owner ?? null}
          onChange={(v) => setFilter({ owner: v ?? undefined })}
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
          value={filters.status ?? 'active'}
          onChange={(v) => setFilter({ status: v === 'active' ? undefined : (v as TokenFilters['status']) })}
          allowDeselect={false}
          w={120}
        />
        {chosen.length > 0 && (
          <>
            <Button
              variant="light"
              color="orange"
              onClick={() =>
                open(
                  allMatching
                    ? { kind: 'reassign', tokens: [], matching: { filters: matching, count: total } }
                    : { kind: 'reassign', tokens: chosen },
                )
              }
            >
              Reassign {bulkCount} selected
            </Button>
            <Button variant="light" color="red" onClick={() => setRevoking(true)}>
              Revoke {bulkCount} selected
            </Button>
          </>
        )}
        {tokens.data && (
          <Text size="sm" c="dimmed" data-testid="token-total" ml="auto">
            {total.toLocaleString('en')} {total === 1 ? 'token' : 'tokens'}
          </Text>
        )}
      </Group>
      {ui}
      {revoking && (
        <ConfirmDialog
          org={org}
          title={`Revoke ${bulkCount} token${bulkCount === 1 ? '' : 's'}?`}
          done={`${bulkCount} token${bulkCount === 1 ? '' : 's'} revoked.`}
          confirmLabel={`Revoke ${bulkCount}`}
          run={async () => {
            await call(
              lk.POST('/api/v1/orgs/{org}/tokens/bulk', {
                params: { path: { org } },
                // All matching: the server resolves the filters inside the change's transaction.
                // expectedCount: if the filters match another number by now, nothing changes.
                body: allMatching
                  ? { action: 'revoke', matching, expectedCount: total }
                  : { action: 'revoke', ids: chosen.map((t) => t.id) },
              }),
            );
            setSelected(new Set());
            setAllMatching(false);
          }}
          onClose={() => setRevoking(false)}
        >
          <Text>
            They stop working at once, everywhere: all of them in one change, or none if one cannot be
            revoked. This cannot be undone.
          </Text>
          <Text size="sm" c="dimmed">
            {allMatching
              ? 'Every live token the filters match, on every page.'
              : `${chosen
                  .slice(0, 5)
                  .map((t) => t.name)
                  .join(', ')}${chosen.length > 5 ? ` and ${chosen.length - 5} more` : ''}`}
          </Text>
        </ConfirmDialog>
      )}
      {pasted !== null && (
        <Text size="sm" c="dimmed" mb="xs" data-testid="value-search-note">
          Looked up as a token value (16 or more characters, no spaces). To search names, type less of the
          name.
        </Text>
      )}
      {pasted !== null &&
        (byValue.isError ? (
          <ErrorAlert error={byValue.error} mb="md" />
        ) : byValue.data ? (
          <Alert
            color="orange"
            mb="md"
            title="This value is one of this org's tokens"
            data-testid="value-match"
          >
            <AnchorLink to="/orgs/$org/tokens/$id" params={{ org, id: byValue.data.id }} fw={500}>
              {byValue.data.name}
            </AnchorLink>{' '}
            ({byValue.data.type}, {byValue.data.status}). If the value was leaked, open the token and use
            Report leaked: it is revoked at once.
          </Alert>
        ) : byValue.data === null ? (
          <Alert color="gray" mb="md" data-testid="value-match">
            No token of this org has this value.
          </Alert>
        ) : null)}
      {(canSelectAllMatching || allMatching) && (
        <Alert color="blue" mb="sm" data-testid="select-all-matching">
          {allMatching ? (
            <>
              All {total.toLocaleString('en')} matching tokens are selected.{' '}
              <Anchor component="button" onClick={() => setAllMatching(false)}>
                Select only this page's {chosen.length}
              </Anchor>
            </>
          ) : (
            <>
              The {chosen.length} tokens on this page are selected.{' '}
              <Anchor component="button" onClick={() => setAllMatching(true)}>
                Select all {total.toLocaleString('en')} matching
              </Anchor>
            </>
          )}
        </Alert>
      )}
      {tokens.isPending ? (
        <Loading />
      ) : tokens.isError ? (
        <ErrorState error={tokens.error} />
      ) : items.length === 0 ? (
        filtered ? (
          <Empty
            action={
              <Button variant="default" onClick={clearFilters}>
                Clear filters
              </Button>
            }
          >
            No tokens match these filters.
          </Empty>
        ) : (
          <Empty action={canEdit && <Button onClick={() => setAdding(true)}>Add Token</Button>}>
            {filters.status === undefined
              ? 'No active tokens. Add one for a service account, or import legacy tokens with `latchkey token import`.'
              : filters.status === 'all'
                ? 'No tokens yet. Add one for a service account, or import legacy tokens with `latchkey token import`.'
                : `No ${filters.status} tokens.`}
          </Empty>
        )
      ) : (
        <Table.ScrollContainer minWidth={900}>
          <Table highlightOnHover aria-label="Tokens" verticalSpacing="xs">
            <Table.Thead>
              <Table.Tr>
                <Table.Th w={32}>
                  {selectable.length > 0 && (
                    <Checkbox
                      aria-label="Select all tokens on this page"
                      checked={chosen.length === selectable.length}
                      indeterminate={chosen.length > 0 && chosen.length < selectable.length}
                      onChange={(e) =>
                        toggle(
                          selectable.map((t) => t.id),
                          e.currentTarget.checked,
                        )
                      }
                    />
                  )}
                </Table.Th>
                <SortHeader label="Name" sorts={['name_asc', 'name_desc']} current={sort} onSort={sortBy} />
                <Table.Th>Type</Table.Th>
                <Table.Th>Owner</Table.Th>
                <Table.Th>Domains</Table.Th>
                <Table.Th>Permissions</Table.Th>
                <SortHeader
                  label="Created"
                  sorts={['created_desc', 'created_asc']}
                  current={sort}
                  onSort={sortBy}
                />
                <SortHeader label="Last used" sorts={['last_used_desc']} current={sort} onSort={sortBy} />
                <SortHeader label="Expires" sorts={['expires_asc']} current={sort} onSort={sortBy} />
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
                    {canEdit && t.status !== 'revoked' && (
                      <Checkbox
                        aria-label={`Select ${t.name}`}
                        checked={selected.has(t.id)}
                        onChange={(e) => toggle([t.id], e.currentTarget.checked)}
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
          <Anchor component="button" onClick={() => turnPage(cursors.slice(0, -1))}>
            Previous page
          </Anchor>
        )}
        {tokens.data?.nextCursor && (
          <Anchor component="button" onClick={() => turnPage([...cursors, tokens.data.nextCursor!])}>
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
