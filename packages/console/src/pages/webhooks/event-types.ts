import { webhookEventTypes } from '@latchkey/api-client';
import type { WebhookEventType } from '../../api/types';

/** Every event type an endpoint can subscribe to, in the API document's order (generated from it). */
export const WEBHOOK_EVENT_TYPES: readonly WebhookEventType[] = webhookEventTypes;

export interface EventGroup {
  /** What the group's types start with, before the dot: `token` for token.*. */
  prefix: string;
  label: string;
  types: WebhookEventType[];
}

/** The picker's groups, by what the event is about; a prefix not listed here lands in "Other". */
const GROUPS: [prefix: string, label: string][] = [
  ['token', 'Tokens'],
  ['service_account', 'Service accounts'],
  ['member', 'Members'],
  ['role', 'Roles'],
  ['invitation', 'Invitations'],
  ['org', 'Organization'],
  ['webhook_endpoint', 'Webhook endpoints'],
];

const prefixOf = (t: string) => t.slice(0, t.indexOf('.'));

export const EVENT_GROUPS: EventGroup[] = (() => {
  const groups = GROUPS.map(([prefix, label]) => ({
    prefix,
    label,
    types: WEBHOOK_EVENT_TYPES.filter((t) => prefixOf(t) === prefix),
  }));
  const known = new Set(GROUPS.map(([prefix]) => prefix));
  const other = WEBHOOK_EVENT_TYPES.filter((t) => !known.has(prefixOf(t)));
  return [
    ...groups.filter((g) => g.types.length > 0),
    ...(other.length > 0 ? [{ prefix: 'other', label: 'Other', types: other }] : []),
  ];
})();

/** "1 event", "12 events". */
export const eventsText = (n: number) => `${n} ${n === 1 ? 'event' : 'events'}`;
