import {
  Alert,
  Badge,
  Button,
  Checkbox,
  Chip,
  Group,
  NumberInput,
  Paper,
  Stack,
  Table,
  Text,
  Title,
} from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useParams } from '@tanstack/react-router';
import { useState } from 'react';
import { useTokenReport } from '../../../api/queries';
import { useAllows } from '../../../components/permission-gate';
import type { BulkAnswer, HygieneAction, HygieneReason, ReportRow } from '../../../api/types';
import { AnchorLink } from '../../../components/anchor-link';
import { PageHeader } from '../../../components/page-header';
import { Empty, QueryFallback } from '../../../components/states';
import { timeText, TokenExpiry } from '../token-status';
import { BulkActionDialog } from './bulk-action-dialog';
import { NewValuesDialog, type NewValue } from './new-values-dialog';
import {
  ACTION_ORDER,
  ACTIONS,
  httpOrigins,
  REASON_ORDER,
  REASONS,
  rowsWith,
  tokensText,
  type Policy,
} from './reasons';

const DONE: Record<HygieneAction, string> = {
  revoke: 'revoked',
  reassign: 'reassigned',
  use_https: 'switched to https://',
  rotate: 'rotated',
  set_expiry: 'given an expiry',
};

/** The report's "unused" threshold as typed: a whole number of days the API accepts, else the server's. */
function unusedDaysOf(value: string | number): number | undefined {
  const n = typeof value === 'number' ? value : Number(value);
  return value !== '' && Number.isInteger(n) && n >= 1 && n <= 3650 ? n : undefined;
}

/**
 * Settings → Token hygiene: the live tokens worth a look (never or long unused, owned by people, of disabled
 * service accounts, allowing http:// origins, old or never-expiring private values), counted and filtered by
 * reason, each with the action it suggests; and, for whoever may edit tokens, one action on many of them at
 * once (all or nothing, on the server).
 */
export function TokenHygienePage() {
  const { org } = useParams({ from: '/orgs/$org/tokens/hygiene' });
  const [unusedInput, setUnusedInput] = useState<string | number>('');
  const [unusedTyped] = useDebouncedValue(unusedInput, 400);
  const report = useTokenReport(org, unusedDaysOf(unusedTyped));
  // A viewer sees the report; the checkboxes and the bulk actions are for whoever holds tokens:edit (or
  // may: when the console cannot tell, the server decides).
  const editable = useAllows(org)('tokens:edit');
  const [reason, setReason] = useState<HygieneReason | null>(null);
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [dialog, setDialog] = useState<{ action: HygieneAction; rows: ReportRow[] } | null>(null);
  const [newValues, setNewValues] = useState<NewValue[] | null>(null);
  const [done, setDone] = useState<string | null>(null);

  if (!report.isSuccess)
    return <QueryFallback query={report} before={<PageHeader title="Token hygiene" />} />;

  const { items, counts, unusedDays, rotateDays, generatedAt } = report.data;
  const policy: Policy = { unusedDays, rotateDays };
  const visible = rowsWith(items, reason);
  // Only what is on screen is acted on: a row filtered out or gone from the report is not chosen.
  const chosen = visible.filter((r) => selected.has(r.id));
  const allChosen = visible.length > 0 && chosen.length === visible.length;
  const suggested = new Set(chosen.flatMap((r) => r.findings.map((f) => f.action)));
  // What the report suggests for the reason filtered on (the server's rule, read off its findings).
  const suggestion = items.flatMap((r) => r.findings).find((f) => f.reason === reason)?.action;
  const applicable = (a: HygieneAction) =>
    chosen.length > 0 && (a !== 'use_https' || chosen.some((r) => httpOrigins(r).length > 0));

  const choose = (next: HygieneReason | null) => {
    setReason(next);
    // Select-all means the rows shown: what the new filter hides is no longer selected.
    const shown = new Set(rowsWith(items, next).map((r) => r.id));
    setSelected(new Set([...selected].filter((id) => shown.has(id))));
  };
  const toggle = (id: string, on: boolean) => {
    const next = new Set(selected);
    if (on) next.add(id);
    else next.delete(id);
    setSelected(next);
  };
  const finished = (answer: BulkAnswer, rows: ReportRow[]) => {
    setDialog(null);
    setSelected(new Set());
    setDone(`${tokensText(answer.items.length)} ${DONE[answer.action]}.`);
    if (answer.action !== 'rotate') return;
    const byId = new Map(rows.map((r) => [r.id, r]));
    setNewValues(
      answer.items.flatMap((i) => {
        const row = byId.get(i.id);
        return row && i.token ? [{ id: i.id, name: row.name, type: row.type, value: i.token }] : [];
      }),
    );
  };

  return (
    <>
      <PageHeader title="Token hygiene" />
      <Group mb="md" gap="md" align="flex-end" justify="space-between" wrap="wrap">
        <Text size="sm" c="dimmed" maw={640}>
          Live tokens worth a look, as of {timeText(generatedAt)}. A token is unused after {unusedDays} days
          without a verification; a private value is old after {rotateDays} days.
        </Text>
        <NumberInput
          label="Unused after (days)"
          placeholder={String(unusedDays)}
          min={1}
          max={3650}
          allowDecimal={false}
          allowNegative={false}
          value={unusedInput}
          onChange={setUnusedInput}
          w={160}
        />
      </Group>
      <Chip.Group value={reason ?? 'all'} onChange={(v) => choose(v === 'all' ? null : (v as HygieneReason))}>
        <Group gap="xs" mb="sm" role="radiogroup" aria-label="Filter by reason">
          <Chip value="all" size="sm">
            All · {items.length}
          </Chip>
          {REASON_ORDER.map((r) => (
            <Chip key={r} value={r} size="sm" color={REASONS[r].color} disabled={!counts[r] && reason !== r}>
              {REASONS[r].label(policy)} · {counts[r] ?? 0}
            </Chip>
          ))}
        </Group>
      </Chip.Group>
      {reason && (
        <Text size="sm" mb="sm" data-testid="reason-why">
          {REASONS[reason].why}
          {suggestion ? ` Suggested: ${ACTIONS[suggestion].suggestion.toLowerCase()}.` : ''}
        </Text>
      )}
      {done && (
        <Alert color="green" role="status" mb="sm" withCloseButton onClose={() => setDone(null)}>
          {done}
        </Alert>
      )}
      {editable && items.length > 0 && (
        <Paper withBorder p="xs" mb="sm" role="toolbar" aria-label="Bulk actions">
          <Group gap="xs" wrap="wrap">
            <Text size="sm" fw={500} mr="xs" data-testid="selection-count">
              {chosen.length > 0
                ? `${tokensText(chosen.length)} selected`
                : 'Select tokens to act on several at once'}
            </Text>
            {ACTION_ORDER.map((a) => (
              <Button
                key={a}
                size="xs"
                variant={suggested.has(a) ? 'light' : 'default'}
                color={a === 'revoke' ? 'red' : undefined}
                disabled={!applicable(a)}
                onClick={() => setDialog({ action: a, rows: chosen })}
              >
                {ACTIONS[a].button}
              </Button>
            ))}
            {chosen.length > 0 && (
              <Button size="xs" variant="subtle" color="gray" onClick={() => setSelected(new Set())}>
                Clear selection
              </Button>
            )}
          </Group>
        </Paper>
      )}
      {items.length === 0 ? (
        <NothingToTidy />
      ) : visible.length === 0 ? (
        <Empty>No token has this finding any more.</Empty>
      ) : (
        <Table.ScrollContainer minWidth={900}>
          <Table highlightOnHover aria-label="Tokens to tidy" verticalSpacing="xs">
            <Table.Thead>
              <Table.Tr>
                {editable && (
                  <Table.Th w={32}>
                    <Checkbox
                      aria-label="Select all shown tokens"
                      checked={allChosen}
                      indeterminate={chosen.length > 0 && !allChosen}
                      onChange={() => setSelected(allChosen ? new Set() : new Set(visible.map((r) => r.id)))}
                    />
                  </Table.Th>
                )}
                <Table.Th>Token</Table.Th>
                <Table.Th>Owner</Table.Th>
                <Table.Th>Last used</Table.Th>
                <Table.Th>Expires</Table.Th>
                <Table.Th>Findings</Table.Th>
                <Table.Th>Suggested</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {visible.map((t) => (
                <Table.Tr key={t.id} data-testid={`hygiene-row-${t.name}`}>
                  {editable && (
                    <Table.Td>
                      <Checkbox
                        aria-label={`Select ${t.name}`}
                        checked={selected.has(t.id)}
                        onChange={(e) => toggle(t.id, e.currentTarget.checked)}
                      />
                    </Table.Td>
                  )}
                  <Table.Td>
                    <AnchorLink to="/orgs/$org/tokens/$id" params={{ org, id: t.id }} fw={500}>
                      {t.name}
                    </AnchorLink>
                    <Group gap={4}>
                      <Text size="xs" c="dimmed" ff="monospace">
                        {t.hint}
                      </Text>
                      <Badge size="xs" color={t.type === 'public' ? 'blue' : 'grape'}>
                        {t.type}
                      </Badge>
                      {t.suspended && (
                        <Badge size="xs" color="yellow">
                          suspended
                        </Badge>
                      )}
                    </Group>
                  </Table.Td>
                  <Table.Td data-testid="hygiene-owner">
                    <Text size="sm" style={{ whiteSpace: 'nowrap' }}>
                      {t.owner.name}
                    </Text>
                    {t.owner.type === 'user' && (
                      <Badge size="xs" color="orange" variant="light">
                        person
                      </Badge>
                    )}
                  </Table.Td>
                  <Table.Td>
                    {t.lastUsedAt ? (
                      <Text size="sm">{timeText(t.lastUsedAt)}</Text>
                    ) : (
                      <>
                        <Text size="sm" c="dimmed">
                          never
                        </Text>
                        <Text size="xs" c="dimmed">
                          created {new Date(t.createdAt).toLocaleDateString()}
                        </Text>
                      </>
                    )}
                  </Table.Td>
                  <Table.Td>
                    <TokenExpiry expiresAt={t.expiresAt} />
                  </Table.Td>
                  <Table.Td>
                    <Group gap={4} aria-label={`Findings for ${t.name}`} role="list">
                      {t.findings.map((f) => (
                        <Badge
                          key={f.reason}
                          role="listitem"
                          size="sm"
                          variant="light"
                          color={REASONS[f.reason].color}
                          data-testid="finding"
                        >
                          {REASONS[f.reason].label(policy)}
                        </Badge>
                      ))}
                    </Group>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm" data-testid="suggested-action">
                      {ACTIONS[t.action].suggestion}
                    </Text>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      {dialog && (
        <BulkActionDialog
          org={org}
          action={dialog.action}
          rows={dialog.rows}
          onClose={() => setDialog(null)}
          onDone={(answer) => finished(answer, dialog.rows)}
        />
      )}
      {newValues && <NewValuesDialog values={newValues} onClose={() => setNewValues(null)} />}
    </>
  );
}

function NothingToTidy() {
  return (
    <Stack align="center" gap="xs" py="xl" data-testid="empty-state">
      <Title order={3}>Nothing to tidy</Title>
      <Text c="dimmed" ta="center" maw={520}>
        Every live token is in use, belongs to a service account, allows https:// origins only, and its
        private value expires and is recent. Well kept.
      </Text>
    </Stack>
  );
}
