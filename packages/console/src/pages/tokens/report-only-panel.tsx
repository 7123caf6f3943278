import { Alert, Button, Group, Stack, Table, Text } from '@mantine/core';
import { call, lk } from '../../api/client';
import { useOrgMutation } from '../../api/queries';
import type { TokenDetail } from '../../api/types';
import { ErrorAlert } from '../../components/states';

type Finding = TokenDetail['reportOnlyLast7Days'][number];

const REASON: Record<Finding['code'], string> = {
  origin_not_allowed: 'origin not on the allowlist',
  origin_required: 'no origin',
  ip_not_allowed: 'address not on the IP allowlist',
};

/**
 * A report-only token: what enforcing its allowlists would have refused over the last 7 days, with the
 * two ways out — add what is missing, or enforce (docs/verification.md, "IP allowlists and report-only").
 */
export function ReportOnlyPanel({
  org,
  token: t,
  canEdit,
}: {
  org: string;
  token: TokenDetail;
  canEdit: boolean;
}) {
  const change = useOrgMutation(
    org,
    (body: { enforcement?: 'enforce'; domains?: string[]; allowedIps?: string[] }) =>
      call(lk.PATCH('/api/v1/orgs/{org}/tokens/{id}', { params: { path: { org, id: t.id } }, body })),
  );
  if (t.enforcement !== 'report_only' || t.status === 'revoked') return null;
  const findings = t.reportOnlyLast7Days;
  const total = findings.reduce((n, f) => n + f.count, 0);
  const addable = (f: Finding) =>
    f.subject !== '' &&
    ((f.code === 'origin_not_allowed' && t.type === 'public' && !t.domains.includes(f.subject)) ||
      (f.code === 'ip_not_allowed' && !t.allowedIps.includes(f.subject)));
  const add = (f: Finding) =>
    change.mutate(
      f.code === 'ip_not_allowed'
        ? { allowedIps: [...t.allowedIps, f.subject] }
        : { domains: [...t.domains, f.subject] },
    );

  return (
    <Alert
      color="blue"
      title="Report-only: the allowlists refuse nothing yet"
      role="region"
      aria-label="Report-only"
    >
      <Stack gap="xs">
        <ErrorAlert error={change.error} />
        <Text size="sm">
          {total === 0
            ? 'Nothing would have been refused in the last 7 days: enforcing is safe.'
            : `Enforcing would have refused ${total} ${total === 1 ? 'request' : 'requests'} in the last 7 days. Add what is yours, then enforce.`}
        </Text>
        {findings.length > 0 && (
          <Table withTableBorder aria-label="Would have been refused">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>From</Table.Th>
                <Table.Th>Why</Table.Th>
                <Table.Th ta="right">Requests</Table.Th>
                {canEdit && <Table.Th />}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {findings.map((f) => (
                <Table.Tr key={`${f.code} ${f.subject}`}>
                  <Table.Td style={{ wordBreak: 'break-all' }}>{f.subject || '—'}</Table.Td>
                  <Table.Td>{REASON[f.code]}</Table.Td>
                  <Table.Td ta="right">{f.count}</Table.Td>
                  {canEdit && (
                    <Table.Td>
                      {addable(f) && (
                        <Button
                          size="compact-xs"
                          variant="default"
                          loading={change.isPending}
                          onClick={() => add(f)}
                        >
                          Add to allowlist
                        </Button>
                      )}
                    </Table.Td>
                  )}
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
        {canEdit && (
          <Group>
            <Button
              size="xs"
              loading={change.isPending}
              onClick={() => change.mutate({ enforcement: 'enforce' })}
            >
              Enforce now
            </Button>
          </Group>
        )}
      </Stack>
    </Alert>
  );
}
