import { Anchor, Badge, Button, Code, Drawer, Group, Stack, Table, Text } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { Fragment, useState } from 'react';
import { call, lk } from '../../api/client';
import { useOrgMutation, useWebhookDeliveries, useWebhookDelivery } from '../../api/queries';
import type { WebhookDelivery, WebhookEndpoint } from '../../api/types';
import { Empty, ErrorAlert, ErrorState, Loading, QueryFallback } from '../../components/states';
import { timeText } from '../tokens/token-status';

const STATUS_COLOR: Record<WebhookDelivery['status'], string> = {
  pending: 'yellow',
  delivered: 'green',
  failed: 'red',
};

function DeliveryStatusBadge({ status }: { status: WebhookDelivery['status'] }) {
  return (
    <Badge size="sm" color={STATUS_COLOR[status]} variant="light" miw="max-content">
      {status}
    </Badge>
  );
}

/**
 * An endpoint's delivery log, newest first: each delivery's status, event, attempts, last status code and
 * error; its details (every attempt with its latency, the body sent) on demand; Re-send; Refresh. While a
 * delivery is about to be sent the log refreshes itself (useWebhookDeliveries).
 */
export function DeliveryLog({
  org,
  endpoint,
  editable,
  onSendTest,
  sendingTest,
  testError,
  onClose,
}: {
  org: string;
  endpoint: WebhookEndpoint;
  editable: boolean;
  onSendTest: () => void;
  sendingTest: boolean;
  /** Why the last test event was refused, if it was. */
  testError: unknown;
  onClose: () => void;
}) {
  const qc = useQueryClient();
  const [pages, setPages] = useState<string[]>([]);
  const cursor = pages[pages.length - 1];
  const deliveries = useWebhookDeliveries(org, endpoint.id, cursor);
  const [open, setOpen] = useState<ReadonlySet<string>>(new Set());
  const resend = useOrgMutation(org, (d: WebhookDelivery) =>
    call(
      lk.POST('/api/v1/orgs/{org}/webhook-endpoints/{id}/deliveries/{deliveryId}/resend', {
        params: { path: { org, id: endpoint.id, deliveryId: d.id } },
        body: {},
      }),
    ),
  );
  const refresh = () =>
    void qc.invalidateQueries({ queryKey: ['org', org, 'webhook-endpoints', endpoint.id] });
  const toggle = (id: string) => {
    const next = new Set(open);
    if (!next.delete(id)) next.add(id);
    setOpen(next);
  };
  const disabled = endpoint.status === 'disabled';

  return (
    <Drawer opened onClose={onClose} position="right" size="xl" title="Delivery log">
      <Stack gap="sm">
        <Text size="sm" ff="monospace" style={{ wordBreak: 'break-all' }} data-testid="delivery-log-url">
          {endpoint.url}
        </Text>
        <Group gap="xs" wrap="wrap">
          <Button
            size="xs"
            variant="default"
            onClick={refresh}
            loading={deliveries.isFetching && !deliveries.isPending}
          >
            Refresh
          </Button>
          {editable && (
            <Button size="xs" variant="light" onClick={onSendTest} loading={sendingTest} disabled={disabled}>
              Send test event
            </Button>
          )}
          {disabled && (
            <Text size="xs" c="dimmed">
              Nothing is sent while the endpoint is disabled: deliveries wait until it is enabled.
            </Text>
          )}
        </Group>
        <ErrorAlert error={resend.error ?? testError} />
        {deliveries.isPending ? (
          <Loading />
        ) : deliveries.isError ? (
          <ErrorState error={deliveries.error} />
        ) : deliveries.data.items.length === 0 ? (
          <Empty>No deliveries yet. Send a test event to see one.</Empty>
        ) : (
          <Table.ScrollContainer minWidth={640}>
            <Table aria-label="Deliveries" verticalSpacing="xs">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Status</Table.Th>
                  <Table.Th>Event</Table.Th>
                  <Table.Th>Attempts</Table.Th>
                  <Table.Th>Last code</Table.Th>
                  <Table.Th>Last attempt</Table.Th>
                  <Table.Th />
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {deliveries.data.items.map((d) => (
                  <Fragment key={d.id}>
                    <Table.Tr data-testid={`delivery-${d.id}`}>
                      <Table.Td>
                        <DeliveryStatusBadge status={d.status} />
                      </Table.Td>
                      <Table.Td>
                        <Text size="sm" ff="monospace">
                          {d.eventType}
                        </Text>
                        <Text size="xs" c="dimmed">
                          {timeText(d.createdAt)}
                        </Text>
                      </Table.Td>
                      <Table.Td>{d.attempts}</Table.Td>
                      <Table.Td data-testid="last-status-code">{d.lastStatusCode ?? '—'}</Table.Td>
                      <Table.Td>
                        <Text size="sm">{d.lastAttemptAt ? timeText(d.lastAttemptAt) : 'not yet'}</Text>
                        {d.status === 'pending' && d.nextAttemptAt && (
                          <Text size="xs" c="dimmed">
                            next {timeText(d.nextAttemptAt)}
                          </Text>
                        )}
                        {d.lastError && (
                          <Text
                            size="xs"
                            c="red.8"
                            style={{ wordBreak: 'break-word' }}
                            data-testid="last-error"
                          >
                            {d.lastError}
                          </Text>
                        )}
                      </Table.Td>
                      <Table.Td>
                        <Group gap={4} wrap="nowrap" justify="flex-end">
                          <Button
                            size="compact-xs"
                            variant="subtle"
                            aria-expanded={open.has(d.id)}
                            onClick={() => toggle(d.id)}
                          >
                            {open.has(d.id) ? 'Hide details' : 'Details'}
                          </Button>
                          {editable && (
                            <Button
                              size="compact-xs"
                              variant="default"
                              disabled={disabled}
                              loading={resend.isPending && resend.variables?.id === d.id}
                              onClick={() => resend.mutate(d)}
                            >
                              Re-send
                            </Button>
                          )}
                        </Group>
                      </Table.Td>
                    </Table.Tr>
                    {open.has(d.id) && (
                      <Table.Tr>
                        <Table.Td colSpan={6} bg="var(--mantine-color-gray-0)">
                          <DeliveryDetails org={org} endpointId={endpoint.id} deliveryId={d.id} />
                        </Table.Td>
                      </Table.Tr>
                    )}
                  </Fragment>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
        <Group justify="flex-end">
          {pages.length > 0 && (
            <Anchor component="button" size="sm" onClick={() => setPages(pages.slice(0, -1))}>
              Newer
            </Anchor>
          )}
          {deliveries.data?.nextCursor && (
            <Anchor
              component="button"
              size="sm"
              onClick={() => setPages([...pages, deliveries.data.nextCursor!])}
            >
              Older
            </Anchor>
          )}
        </Group>
      </Stack>
    </Drawer>
  );
}

/** One delivery's attempts (when, status code, latency, error) and the body sent (the same each time). */
function DeliveryDetails({
  org,
  endpointId,
  deliveryId,
}: {
  org: string;
  endpointId: string;
  deliveryId: string;
}) {
  const detail = useWebhookDelivery(org, endpointId, deliveryId);
  if (!detail.isSuccess) return <QueryFallback query={detail} />;
  const d = detail.data;
  return (
    <Stack gap="xs" data-testid="delivery-details">
      <Text size="xs" c="dimmed">
        webhook-id <Code>{d.eventId}</Code>
      </Text>
      {d.attemptLog.length === 0 ? (
        <Text size="sm" c="dimmed">
          Not attempted yet.
        </Text>
      ) : (
        <Table aria-label="Attempts" withTableBorder fz="sm" verticalSpacing={4}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Attempt</Table.Th>
              <Table.Th>Status code</Table.Th>
              <Table.Th>Latency</Table.Th>
              <Table.Th>Error</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {d.attemptLog.map((a) => (
              <Table.Tr key={a.id}>
                <Table.Td>{timeText(a.at)}</Table.Td>
                <Table.Td>{a.statusCode ?? '—'}</Table.Td>
                <Table.Td>{a.latencyMs.toLocaleString('en')} ms</Table.Td>
                <Table.Td style={{ wordBreak: 'break-word' }}>{a.error ?? ''}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      <Text size="xs" fw={600}>
        Body sent
      </Text>
      {d.payload === null ? (
        // The server shows the body only to members who may see what it describes (a token, a member…).
        <Text size="sm" c="dimmed">
          Hidden: your role cannot see what this {d.eventType} event describes.
        </Text>
      ) : (
        <Code block style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-all' }}>
          {JSON.stringify(d.payload, null, 2)}
        </Code>
      )}
    </Stack>
  );
}
