import { Button, Stack, Textarea, TextInput } from '@mantine/core';
import { useState } from 'react';
import { Dialog } from '../../components/dialog';
import { call, lk } from '../../api/client';
import { useOrgMutation } from '../../api/queries';
import type {
  WebhookEndpoint,
  WebhookEndpointChange,
  WebhookEndpointWithSecret,
  WebhookEventType,
} from '../../api/types';
import { DialogActions } from '../../components/dialog-actions';
import { ErrorAlert } from '../../components/states';
import { webhookUrlError } from '../../validation/forms';
import { EventTypePicker } from './event-type-picker';

/**
 * Add endpoint (no `endpoint`) or Edit one: its URL, a description and the events it receives. A new
 * endpoint's signing secret is handed to `onCreated`, to be shown once. Editing sends only what changed.
 */
export function EndpointFormModal({
  org,
  endpoint,
  onClose,
  onCreated,
}: {
  org: string;
  endpoint: WebhookEndpoint | null;
  onClose: () => void;
  onCreated?: (created: WebhookEndpointWithSecret) => void;
}) {
  const [url, setUrl] = useState(endpoint?.url ?? '');
  const [description, setDescription] = useState(endpoint?.description ?? '');
  const [eventTypes, setEventTypes] = useState<WebhookEventType[]>(endpoint?.eventTypes ?? []);
  // Errors show once the field was left, or on submit: not while the first characters are typed.
  const [touched, setTouched] = useState(false);
  const [submitted, setSubmitted] = useState(false);
  const urlError = webhookUrlError(url);
  const eventsError = eventTypes.length === 0 ? 'Choose at least one event.' : null;

  const save = useOrgMutation(org, async (): Promise<WebhookEndpointWithSecret | null> => {
    const desc = description.trim() || null;
    if (!endpoint)
      return call(
        lk.POST('/api/v1/orgs/{org}/webhook-endpoints', {
          params: { path: { org } },
          body: { url: url.trim(), eventTypes, ...(desc ? { description: desc } : {}) },
        }),
      );
    const body = changes(endpoint, { url: url.trim(), description: desc, eventTypes });
    if (body)
      await call(
        lk.PATCH('/api/v1/orgs/{org}/webhook-endpoints/{id}', {
          params: { path: { org, id: endpoint.id } },
          body,
        }),
      );
    return null;
  });

  const submit = async () => {
    setSubmitted(true);
    if (urlError || eventsError) return;
    const r = await save.mutateAsync(undefined).catch(() => undefined);
    if (r === undefined) return;
    onClose();
    if (r) onCreated?.(r);
  };

  return (
    <Dialog
      opened
      onClose={onClose}
      title={endpoint ? 'Edit endpoint' : 'Add endpoint'}
      size="lg"
      closeOnClickOutside={false}
    >
      <form
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <Stack>
          <ErrorAlert error={save.error} />
          <TextInput
            label="URL"
            required
            data-autofocus
            placeholder="https://hooks.example.com/latchkey"
            description="Latchkey POSTs each event here, signed (Standard Webhooks)."
            value={url}
            onChange={(e) => setUrl(e.currentTarget.value)}
            onBlur={() => setTouched(true)}
            error={touched || submitted ? urlError : null}
          />
          <Textarea
            label="Description"
            description="Optional: what receives these events."
            autosize
            minRows={1}
            maxRows={4}
            maxLength={1000}
            value={description}
            onChange={(e) => setDescription(e.currentTarget.value)}
          />
          <EventTypePicker
            value={eventTypes}
            onChange={setEventTypes}
            error={submitted ? eventsError : null}
          />
          <DialogActions onClose={onClose}>
            <Button type="submit" loading={save.isPending}>
              {endpoint ? 'Save' : 'Add endpoint'}
            </Button>
          </DialogActions>
        </Stack>
      </form>
    </Dialog>
  );
}

/** The fields of the Edit dialog that differ from the endpoint as it was opened; null when none does. */
function changes(
  endpoint: WebhookEndpoint,
  edited: { url: string; description: string | null; eventTypes: WebhookEventType[] },
): WebhookEndpointChange | null {
  const body: WebhookEndpointChange = {};
  if (edited.url !== endpoint.url) body.url = edited.url;
  if (edited.description !== endpoint.description) body.description = edited.description;
  const before = [...endpoint.eventTypes].sort().join(' ');
  if ([...edited.eventTypes].sort().join(' ') !== before) body.eventTypes = edited.eventTypes;
  return Object.keys(body).length > 0 ? body : null;
}
