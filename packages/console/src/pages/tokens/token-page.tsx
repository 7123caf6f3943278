import { Alert, Badge, Button, Code, CopyButton, Group, Stack, Text } from '@mantine/core';
import { useParams } from '@tanstack/react-router';
import type { ReactNode } from 'react';
import { useToken } from '../../api/queries';
import { needsText } from '../../components/permission-gate';
import type { TokenDetail } from '../../api/types';
import { AnchorLink } from '../../components/anchor-link';
import { PageHeader } from '../../components/page-header';
import { QueryFallback } from '../../components/states';
import { FactsTable } from '../../components/facts-table';
import { useTokenActions } from './token-actions';
import { describeRateLimit } from './limit-fields';
import { ReportOnlyPanel } from './report-only-panel';
import { ObjectHistory } from '../audit/object-history';
import { TokenUsage } from './token-usage';
import { previousValueText, timeText, TokenStatusBadges } from './token-status';

const when = (iso: string | null, otherwise: string) => (iso ? timeText(iso) : otherwise);

/** "812 of 1,000 credits left · refills 1,000 every month, next 1 Jul 2026". */
function quotaText(q: NonNullable<TokenDetail['quota']>): string {
  const n = (x: number) => x.toLocaleString('en');
  const left = `${n(q.remaining)} of ${n(q.limit)} credits left`;
  if (!q.refill || !q.refillAt) return `${left} · never refills`;
  return `${left} · refills ${n(q.refill.amount)} every ${q.refill.interval}, next ${when(q.refillAt, '')}`;
}

/** One token: its state (suspended, compromised, a previous value still working), its settings and its actions. */
export function TokenPage() {
  const { org, id } = useParams({ from: '/orgs/$org/tokens/$id' });
  const token = useToken(org, id);
  const { actions, canEdit, ui } = useTokenActions(org);
  const back = (
    <AnchorLink to="/orgs/$org/tokens" params={{ org }} size="sm">
      ← Tokens
    </AnchorLink>
  );
  if (!token.isSuccess) return <QueryFallback query={token} before={back} />;
  const t = token.data;
  const live = actions(t).filter((a) => !a.disabled);

  return (
    <Stack gap="md">
      {back}
      <PageHeader
        title={t.name}
        action={
          live.length > 0 ? (
            <Group gap="xs" wrap="wrap" aria-label="Token actions" role="group">
              {live.map((a) => (
                <Button
                  key={a.key}
                  size="sm"
                  variant={a.color ? 'light' : 'default'}
                  color={a.color}
                  onClick={a.onClick}
                >
                  {a.title}
                </Button>
              ))}
            </Group>
          ) : (
            <Text c="dimmed" size="sm">
              {canEdit
                ? 'A revoked token cannot be changed.'
                : needsText('tokens:edit') + ' to change tokens.'}
            </Text>
          )
        }
      />
      <Group gap="xs">
        <Badge color={t.type === 'public' ? 'blue' : 'grape'}>{t.type}</Badge>
        <TokenStatusBadges token={t} size="md" />
        {t.legacy && (
          <Badge color="orange" variant="light">
            user-owned — reassign to a service account
          </Badge>
        )}
      </Group>
      {ui}
      <TokenAlerts token={t} />
      <ReportOnlyPanel org={org} token={t} canEdit={canEdit} />
      <TokenFacts org={org} token={t} />
      <TokenUsage org={org} tokenId={t.id} />
      <ObjectHistory org={org} targetId={t.id} noun="token" />
    </Stack>
  );
}

/** What needs attention first: a leak, a suspension, a previous value still working. */
function TokenAlerts({ token: t }: { token: TokenDetail }) {
  return (
    <>
      {t.compromised && (
        <Alert color="red" title="Compromised" role="note" data-testid="compromised-details">
          <Text size="sm">Reported leaked on {when(t.compromised.at, '')} and revoked then.</Text>
          {t.compromised.where && (
            <Text size="sm" style={{ wordBreak: 'break-all' }}>
              Found at: {t.compromised.where}
            </Text>
          )}
          {t.compromised.note && <Text size="sm">Note: {t.compromised.note}</Text>}
        </Alert>
      )}
      {t.suspendedAt && t.status !== 'revoked' && (
        <Alert color="yellow" title="Suspended" role="note">
          Since {when(t.suspendedAt, '')}, every request with this token is refused (token_suspended) until it
          is resumed.
        </Alert>
      )}
      {t.previousSecret && (
        <Alert color="orange" title="Rotation in progress" role="note" data-testid="previous-value">
          {previousValueText(t.previousSecret)}. Until then both values work.
        </Alert>
      )}
    </>
  );
}

function TokenFacts({ org, token: t }: { org: string; token: TokenDetail }) {
  const rows: [string, ReactNode][] = [
    [
      t.value ? 'Value' : 'Hint',
      t.value ? (
        <Group gap="xs" wrap="nowrap">
          <Code style={{ wordBreak: 'break-all' }}>{t.value}</Code>
          <CopyButton value={t.value}>
            {({ copied, copy }) => (
              <Button size="compact-xs" variant="default" onClick={copy}>
                {copied ? 'Copied' : 'Copy'}
              </Button>
            )}
          </CopyButton>
        </Group>
      ) : (
        <Text size="sm" ff="monospace">
          {t.hint}
        </Text>
      ),
    ],
    [
      'Owner',
      t.owner.type === 'service_account' ? (
        t.owner.deleted ? (
          `${t.owner.name} (deleted)`
        ) : (
          <AnchorLink to="/orgs/$org/service-accounts/$id" params={{ org, id: t.owner.id }}>
            {t.owner.name}
          </AnchorLink>
        )
      ) : (
        (t.owner.email ?? t.owner.name)
      ),
    ],
    ['Domains', t.domains.length ? t.domains.join(', ') : 'any (private)'],
    ['IP allowlist', t.allowedIps.length ? t.allowedIps.join(', ') : 'any address'],
    [
      'Allowlists',
      t.enforcement === 'enforce' ? 'enforced' : 'report-only: nothing is refused for origin or address',
    ],
    [
      'Rate limits',
      t.effectiveRateLimits.length === 0
        ? 'none'
        : `${t.effectiveRateLimits.map(describeRateLimit).join(' · ')}${t.rateLimits.length === 0 ? ' (from its service account)' : ''}`,
    ],
    ['Quota', t.quota ? quotaText(t.quota) : 'none'],
    [
      'Permissions',
      `${t.effectivePermissions.join(', ') || 'none'}${t.permissions ? '' : ' (all of its role)'}`,
    ],
    ['Created', when(t.createdAt, '')],
    ['Last rotated', when(t.rotatedAt, 'never')],
    [
      'Last used',
      t.lastUsedAt
        ? `${when(t.lastUsedAt, '')} · ${t.lastUsedOrigin ?? 'no origin'} · ${t.usesLast7Days} in 7 days`
        : 'never',
    ],
    ['Expires', when(t.expiresAt, 'never')],
    ...(t.revokedAt ? ([['Revoked', when(t.revokedAt, '')]] as [string, ReactNode][]) : []),
  ];
  return <FactsTable label="Token details" facts={rows} />;
}
