import { Button, Group, NumberInput, Stack, Text, TextInput, Tooltip } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useQueryClient } from '@tanstack/react-query';
import { useParams } from '@tanstack/react-router';
import { useEffect, useState } from 'react';
import { call, lk } from '../../api/client';
import { keys, useCan, useOrg, useOrgMutation } from '../../api/queries';
import { PageHeader } from '../../components/page-header';
import { ErrorAlert, QueryFallback } from '../../components/states';
import { orgNameError } from '../../validation/forms';

/** The longest maximum token lifetime the API takes (PATCH /orgs/{org}), in days. */
const MAX_LIFETIME_DAYS = 3650;

/**
 * The org's own settings (issue 17 item 12): its name and the longest a new token may live. Everyone who
 * may view them sees them; only org_settings:edit may change them, and the page says so instead of
 * offering a button the server would refuse.
 */
export function OrgSettingsPage() {
  const { org } = useParams({ from: '/orgs/$org/settings' });
  const current = useOrg(org);
  const canEdit = useCan(org, 'org_settings:edit');
  const qc = useQueryClient();
  const [name, setName] = useState('');
  const [lifetime, setLifetime] = useState<number | ''>('');
  useEffect(() => {
    if (!current.data) return;
    setName(current.data.name);
    setLifetime(current.data.maxTokenLifetimeDays ?? '');
  }, [current.data]);

  const save = useOrgMutation(org, async () => {
    const was = current.data!;
    const days = lifetime === '' ? null : lifetime;
    const updated = await call(
      lk.PATCH('/api/v1/orgs/{org}', {
        params: { path: { org } },
        body: {
          ...(name !== was.name ? { name } : {}),
          ...(days !== was.maxTokenLifetimeDays ? { maxTokenLifetimeDays: days } : {}),
        },
      }),
    );
    // The org's name is in the header too (from /me).
    await qc.invalidateQueries({ queryKey: keys.me });
    notifications.show({
      color: 'green',
      title: 'Settings saved',
      message: `${updated.name} is up to date.`,
    });
    return updated;
  });

  if (!current.isSuccess) return <QueryFallback query={current} />;
  const was = current.data;
  const nameProblem = orgNameError(name);
  const lifetimeProblem =
    lifetime !== '' && (!Number.isInteger(lifetime) || lifetime < 1 || lifetime > MAX_LIFETIME_DAYS)
      ? `A whole number of days from 1 to ${MAX_LIFETIME_DAYS}, or empty for no limit.`
      : null;
  const changed = name !== was.name || (lifetime === '' ? null : lifetime) !== was.maxTokenLifetimeDays;
  const readOnly = canEdit === false;

  return (
    <Stack maw={560}>
      <PageHeader title="Organization settings" />
      <ErrorAlert error={save.error} />
      <TextInput
        label="Name"
        value={name}
        onChange={(e) => setName(e.currentTarget.value)}
        error={name !== was.name ? nameProblem : null}
        readOnly={readOnly}
      />
      <TextInput
        label="Slug"
        description="In every API path and console address: it does not change."
        value={was.slug}
        readOnly
      />
      <NumberInput
        label="Maximum token lifetime (days)"
        description="Tokens issued from now on (created, imported, reassigned or rotated) end at most this many days later; a new token with no expiry gets the maximum. Empty: no limit. Tokens already issued keep their expiry until they are re-issued."
        placeholder="No limit"
        min={1}
        max={MAX_LIFETIME_DAYS}
        allowDecimal={false}
        value={lifetime}
        onChange={(v) => setLifetime(typeof v === 'number' ? v : v === '' ? '' : Number(v))}
        error={lifetimeProblem}
        readOnly={readOnly}
      />
      <Text size="sm" c="dimmed">
        Created {new Date(was.createdAt).toLocaleDateString()} · id {was.id}
      </Text>
      <Group justify="flex-end">
        <Tooltip label="Needs the org_settings:edit permission" disabled={!readOnly}>
          {/* A span: a disabled button gets no pointer events, so it could not show the tooltip itself. */}
          <span>
            <Button
              onClick={() => void save.mutateAsync(undefined).catch(() => undefined)}
              loading={save.isPending}
              disabled={readOnly || !changed || nameProblem !== null || lifetimeProblem !== null}
            >
              Save changes
            </Button>
          </span>
        </Tooltip>
      </Group>
    </Stack>
  );
}
