import { Checkbox, Group, Input, Paper, SimpleGrid, Stack, Text } from '@mantine/core';
import { useId } from 'react';
import type { WebhookEventType } from '../../api/types';
import { EVENT_GROUPS, eventsText, WEBHOOK_EVENT_TYPES, type EventGroup } from './event-types';

/**
 * The events an endpoint receives, grouped by what they are about (token.*, service_account.*, …), each
 * group with "Select all in group". The value keeps the API document's order.
 */
export function EventTypePicker({
  value,
  onChange,
  error,
}: {
  value: readonly WebhookEventType[];
  onChange: (types: WebhookEventType[]) => void;
  error?: string | null;
}) {
  const chosen = new Set(value);
  const set = (types: readonly WebhookEventType[], on: boolean) => {
    const next = new Set(chosen);
    for (const t of types) {
      if (on) next.add(t);
      else next.delete(t);
    }
    onChange(WEBHOOK_EVENT_TYPES.filter((t) => next.has(t)));
  };
  return (
    <Input.Wrapper
      label="Events"
      labelElement="div"
      required
      description={`Latchkey sends the events chosen here. ${eventsText(value.length)} chosen.`}
      error={error}
    >
      <Stack gap="xs" mt={4} role="group" aria-label="Events">
        {EVENT_GROUPS.map((g) => (
          <EventGroupBox key={g.prefix} group={g} chosen={chosen} set={set} />
        ))}
      </Stack>
    </Input.Wrapper>
  );
}

function EventGroupBox({
  group,
  chosen,
  set,
}: {
  group: EventGroup;
  chosen: ReadonlySet<WebhookEventType>;
  set: (types: readonly WebhookEventType[], on: boolean) => void;
}) {
  const titleId = useId();
  const count = group.types.filter((t) => chosen.has(t)).length;
  const all = count === group.types.length;
  return (
    <Paper
      withBorder
      p="xs"
      role="group"
      aria-labelledby={titleId}
      data-testid={`event-group-${group.prefix}`}
    >
      <Group justify="space-between" gap="xs" wrap="wrap">
        <Text size="sm" fw={600}>
          <span id={titleId}>{group.label}</span>{' '}
          <Text span size="xs" c="dimmed" ff="monospace">
            {group.prefix}.*
          </Text>{' '}
          <Text span size="xs" c="dimmed">
            · {count} of {group.types.length}
          </Text>
        </Text>
        <Checkbox
          size="xs"
          label="Select all in group"
          checked={all}
          indeterminate={count > 0 && !all}
          onChange={(e) => set(group.types, e.currentTarget.checked)}
        />
      </Group>
      <SimpleGrid cols={{ base: 1, xs: 2 }} spacing="xs" verticalSpacing={6} mt="xs">
        {group.types.map((t) => (
          <Checkbox
            key={t}
            size="xs"
            label={t}
            checked={chosen.has(t)}
            onChange={(e) => set([t], e.currentTarget.checked)}
            styles={{ label: { fontFamily: 'var(--mantine-font-family-monospace)', wordBreak: 'break-all' } }}
          />
        ))}
      </SimpleGrid>
    </Paper>
  );
}
