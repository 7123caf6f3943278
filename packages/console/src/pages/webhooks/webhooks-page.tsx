import { Badge, Button, Group, Stack, Table, Text, Tooltip } from '@mantine/core';
import { useParams } from '@tanstack/react-router';
import { useState } from 'react';
import { call, lk } from '../../api/client';
import { useOrgMutation, useWebhookEndpoints } from '../../api/queries';
import { GatedButton, useAllows } from '../../components/permission-gate';
import type { WebhookEndpoint } from '../../api/types';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { PageHeader } from '../../components/page-header';
import { RowMenuButton, useRowContextMenu, type RowAction } from '../../components/row-actions';
import { ErrorAlert, QueryFallback } from '../../components/states';
import { timeText } from '../tokens/token-status';
import { DeliveryLog } from './delivery-log';
import { EndpointFormModal } from './endpoint-form-modal';
import { eventsText } from './event-types';
import { SecretDialog, type RevealedSecret } from './secret-dialog';

type EndpointDialog =
  { kind: 'add' } | { kind: 'edit' | 'disable' | 'rotate' | 'delete'; endpoint: WebhookEndpoint };

/**
 * Settings → Webhooks: the org's webhook endpoints (URL, events, status), each with its delivery log;
 * Add endpoint, and per row Edit, Send test event, Disable/Enable, Rotate secret and Delete. A signing
 * secret is shown once, after Add endpoint and after Rotate secret. Whoever may only view
 * (webhook_endpoints:view) sees the endpoints and their delivery logs without the actions.
 */
export function WebhooksPage() {
  const { org } = useParams({ from: '/orgs/$org/webhooks' });
  const endpoints = useWebhookEndpoints(org);
  // When the console cannot tell (null), it offers the changes and the server decides.
  const editable = useAllows(org)('webhook_endpoints:edit');
  const contextMenu = useRowContextMenu();
  const [dialog, setDialog] = useState<EndpointDialog | null>(null);
  const [secret, setSecret] = useState<RevealedSecret | null>(null);
  const [logOf, setLogOf] = useState<string | null>(null);
  const close = () => setDialog(null);
  const onEndpoint = (e: WebhookEndpoint) => ({ params: { path: { org, id: e.id } } });
  // A test event opens the delivery log, where it shows up (pending, then delivered or failed).
  const test = useOrgMutation(
    org,
    (e: WebhookEndpoint) =>
      call(lk.POST('/api/v1/orgs/{org}/webhook-endpoints/{id}/test', { ...onEndpoint(e), body: {} })),
    'Test event queued: see the delivery log.',
  );
  const sendTest = (e: WebhookEndpoint) => {
    setLogOf(e.id);
    test.mutate(e);
  };
  // Enabling needs no confirmation; its refusal is shown above the table (the others' in their dialogs).
  const enable = useOrgMutation(
    org,
    (e: WebhookEndpoint) =>
      call(
        lk.PATCH('/api/v1/orgs/{org}/webhook-endpoints/{id}', { ...onEndpoint(e), body: { enabled: true } }),
      ),
    'Endpoint enabled.',
  );

  if (!endpoints.isSuccess)
    return <QueryFallback query={endpoints} before={<PageHeader title="Webhooks" />} />;
  const items = endpoints.data;
  const logEndpoint = items.find((e) => e.id === logOf);
  const add = () => setDialog({ kind: 'add' });

  const actions = (e: WebhookEndpoint): RowAction[] => {
    const open = (kind: Exclude<EndpointDialog['kind'], 'add'>) => () => setDialog({ kind, endpoint: e });
    const disabled = e.status === 'disabled';
    return [
      { key: 'deliveries', title: 'Delivery log', onClick: () => setLogOf(e.id) },
      ...(editable
        ? [
            { key: 'edit', title: 'Edit', onClick: open('edit') },
            { key: 'test', title: 'Send test event', onClick: () => sendTest(e), disabled },
            disabled
              ? { key: 'enable', title: 'Enable', onClick: () => enable.mutate(e) }
              : { key: 'disable', title: 'Disable', onClick: open('disable') },
            { key: 'rotate', title: 'Rotate secret', onClick: open('rotate') },
            { key: 'delete', title: 'Delete', color: 'red', onClick: open('delete') },
          ]
        : []),
    ];
  };

  return (
    <>
      <PageHeader
        title="Webhooks"
        action={
          <GatedButton allowed={editable} permission="webhook_endpoints:edit" onClick={add}>
            Add endpoint
          </GatedButton>
        }
      />
      <Text size="sm" c="dimmed" mb="md" maw={720}>
        Latchkey POSTs the events each endpoint subscribes to, signed with the endpoint&apos;s secret
        (Standard Webhooks), and retries a failed delivery for about a day.
      </Text>
      <ErrorAlert error={enable.error ?? test.error} mb="sm" />
      {items.length === 0 ? (
        <Stack align="center" gap="sm" py="xl" data-testid="empty-state">
          <Text c="dimmed" ta="center">
            No webhook endpoints yet. Add one to have Latchkey send the org&apos;s events to your systems.
          </Text>
          {editable && <Button onClick={add}>Add endpoint</Button>}
        </Stack>
      ) : (
        <Table.ScrollContainer minWidth={720}>
          <Table highlightOnHover aria-label="Webhook endpoints" verticalSpacing="xs">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>URL</Table.Th>
                <Table.Th>Events</Table.Th>
                <Table.Th>Status</Table.Th>
                <Table.Th>Created</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {items.map((e) => (
                <Table.Tr
                  key={e.id}
                  data-testid={`endpoint-row-${e.url}`}
                  onContextMenu={contextMenu(actions(e))}
                >
                  <Table.Td maw={420}>
                    <Text size="sm" fw={500} ff="monospace" style={{ wordBreak: 'break-all' }}>
                      {e.url}
                    </Text>
                    {e.description && (
                      <Text size="xs" c="dimmed">
                        {e.description}
                      </Text>
                    )}
                    {e.previousSecretExpiresAt && (
                      <Text size="xs" c="orange.8" data-testid="previous-secret">
                        Previous secret also signs until {timeText(e.previousSecretExpiresAt)}
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td>
                    <Tooltip label={e.eventTypes.join(', ')} multiline w={320}>
                      <Text size="sm" data-testid="endpoint-events">
                        {eventsText(e.eventTypes.length)}
                      </Text>
                    </Tooltip>
                  </Table.Td>
                  <Table.Td>
                    <EndpointStatus endpoint={e} />
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{new Date(e.createdAt).toLocaleDateString()}</Text>
                  </Table.Td>
                  <Table.Td>
                    <Group gap={4} wrap="nowrap" justify="flex-end">
                      <Button size="compact-sm" variant="subtle" onClick={() => setLogOf(e.id)}>
                        Delivery log
                      </Button>
                      <RowMenuButton label={e.url} actions={actions(e)} />
                    </Group>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}

      {dialog?.kind === 'add' && (
        <EndpointFormModal
          org={org}
          endpoint={null}
          onClose={close}
          onCreated={(created) => setSecret({ url: created.url, secret: created.secret })}
        />
      )}
      {dialog?.kind === 'edit' && <EndpointFormModal org={org} endpoint={dialog.endpoint} onClose={close} />}
      {dialog?.kind === 'disable' && (
        <ConfirmDialog
          org={org}
          title="Disable this endpoint?"
          done="Endpoint disabled."
          confirmLabel="Disable"
          color="orange"
          run={() =>
            call(
              lk.PATCH('/api/v1/orgs/{org}/webhook-endpoints/{id}', {
                ...onEndpoint(dialog.endpoint),
                body: { enabled: false },
              }),
            )
          }
          onClose={close}
        >
          <Text size="sm" style={{ wordBreak: 'break-all' }}>
            Nothing is sent to {dialog.endpoint.url} until you enable it again. Its deliveries wait meanwhile.
          </Text>
        </ConfirmDialog>
      )}
      {dialog?.kind === 'rotate' && (
        <ConfirmDialog
          org={org}
          title="Rotate the signing secret?"
          done="Signing secret rotated."
          confirmLabel="Rotate secret"
          color="orange"
          run={async () => {
            const r = await call(
              lk.POST('/api/v1/orgs/{org}/webhook-endpoints/{id}/rotate-secret', {
                ...onEndpoint(dialog.endpoint),
                body: {},
              }),
            );
            setSecret({ url: r.url, secret: r.secret, previousSecretExpiresAt: r.previousSecretExpiresAt });
          }}
          onClose={close}
        >
          <Text size="sm" style={{ wordBreak: 'break-all' }}>
            A new secret signs the deliveries to {dialog.endpoint.url}; it is shown once. The current one
            keeps signing alongside it for 24 hours, so the receiver can switch without missing a delivery.
          </Text>
        </ConfirmDialog>
      )}
      {dialog?.kind === 'delete' && (
        <ConfirmDialog
          org={org}
          title="Delete this endpoint?"
          done="Endpoint deleted."
          confirmLabel="Delete"
          run={() =>
            call(lk.DELETE('/api/v1/orgs/{org}/webhook-endpoints/{id}', onEndpoint(dialog.endpoint)))
          }
          onClose={close}
        >
          <Text size="sm" style={{ wordBreak: 'break-all' }}>
            Nothing more is sent to {dialog.endpoint.url}, and its delivery log goes with it. This cannot be
            undone.
          </Text>
        </ConfirmDialog>
      )}
      {secret && <SecretDialog {...secret} onClose={() => setSecret(null)} />}
      {logEndpoint && (
        <DeliveryLog
          org={org}
          endpoint={logEndpoint}
          editable={editable}
          onSendTest={() => sendTest(logEndpoint)}
          sendingTest={test.isPending}
          testError={test.error}
          onClose={() => setLogOf(null)}
        />
      )}
    </>
  );
}

/** Enabled (failing since, when deliveries fail), disabled, or disabled by Latchkey because it kept failing. */
function EndpointStatus({ endpoint: e }: { endpoint: WebhookEndpoint }) {
  if (e.status === 'enabled')
    return (
      <Stack gap={2} align="flex-start">
        <Badge color="green" variant="light" data-testid="endpoint-status" miw="max-content">
          enabled
        </Badge>
        {e.failingSince && (
          <Text size="xs" c="orange.8">
            failing since {timeText(e.failingSince)}
          </Text>
        )}
      </Stack>
    );
  return e.disabledReason === 'failing' ? (
    <Tooltip label="Latchkey disabled it after its deliveries failed for days. Enable it once it answers, and re-send what failed.">
      <Badge color="red" data-testid="endpoint-status" miw="max-content">
        disabled: failing
      </Badge>
    </Tooltip>
  ) : (
    <Badge color="gray" data-testid="endpoint-status" miw="max-content">
      disabled
    </Badge>
  );
}
