import {
  ActionIcon,
  Button,
  Group,
  NumberInput,
  Select,
  Stack,
  Switch,
  Text,
  TextInput,
} from '@mantine/core';
import type { Token } from '../../api/types';

export type RateLimits = Token['rateLimits'];
/** A quota as the forms edit it (the token's answer adds the balance and the next refill). */
export type QuotaSetting = {
  limit: number;
  refill: { interval: 'day' | 'month'; amount: number } | null;
} | null;

/** The windows people pick; the API takes any number of seconds up to a week. */
const WINDOWS = [
  { value: '1', label: 'per second' },
  { value: '60', label: 'per minute' },
  { value: '3600', label: 'per hour' },
  { value: '86400', label: 'per day' },
  { value: '604800', label: 'per week' },
];
const windowLabel = (seconds: number) =>
  WINDOWS.find((w) => Number(w.value) === seconds)?.label ?? `per ${seconds} s`;

/** A window as one line, e.g. "burst: 50 per second". */
export const describeRateLimit = (r: RateLimits[number]) =>
  `${r.name}: ${r.limit.toLocaleString('en')} ${windowLabel(r.windowSeconds)}`;

/** The quota as a form value without the balance. */
export const quotaSetting = (q: Token['quota']): QuotaSetting =>
  q ? { limit: q.limit, refill: q.refill } : null;

/**
 * A token's rate-limit windows and quota — the same fields in the Add Token form and the Edit dialog. The
 * server checks them (names must differ, a refill is at most the limit); docs/verification.md says how they
 * count.
 */
export function LimitFields({
  rateLimits,
  onRateLimits,
  quota,
  onQuota,
}: {
  rateLimits: RateLimits;
  onRateLimits: (v: RateLimits) => void;
  quota: QuotaSetting;
  onQuota: (v: QuotaSetting) => void;
}) {
  return (
    <Stack gap="xs">
      <RateLimitFields rateLimits={rateLimits} onRateLimits={onRateLimits} />
      <QuotaFields quota={quota} onQuota={onQuota} />
    </Stack>
  );
}

/** Named rate-limit windows: a token's own, or a service account's default for its tokens. */
export function RateLimitFields({
  rateLimits,
  onRateLimits,
  label = 'Rate limits',
  description = 'Verifications over a window are refused (rate_limited, 429 to the client) until it ends. None: unlimited.',
}: {
  rateLimits: RateLimits;
  onRateLimits: (v: RateLimits) => void;
  label?: string;
  description?: string;
}) {
  const change = (i: number, patch: Partial<RateLimits[number]>) =>
    onRateLimits(rateLimits.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  return (
    <Stack gap="xs">
      <div>
        <Text size="sm" fw={500}>
          {label}
        </Text>
        <Text size="xs" c="dimmed">
          {description}
        </Text>
      </div>
      {rateLimits.map((r, i) => (
        <Group key={i} gap="xs" align="flex-end" wrap="nowrap">
          <TextInput
            aria-label={`Window ${i + 1} name`}
            placeholder="name"
            value={r.name}
            onChange={(e) => change(i, { name: e.currentTarget.value })}
            w={110}
          />
          <NumberInput
            aria-label={`Window ${i + 1} limit`}
            min={1}
            allowDecimal={false}
            thousandSeparator=","
            value={r.limit}
            onChange={(v) => change(i, { limit: Number(v) || 0 })}
            w={120}
          />
          <Select
            aria-label={`Window ${i + 1} length`}
            data={
              WINDOWS.some((w) => Number(w.value) === r.windowSeconds)
                ? WINDOWS
                : [...WINDOWS, { value: String(r.windowSeconds), label: windowLabel(r.windowSeconds) }]
            }
            value={String(r.windowSeconds)}
            onChange={(v) => v && change(i, { windowSeconds: Number(v) })}
            allowDeselect={false}
            w={130}
          />
          <ActionIcon
            variant="subtle"
            color="red"
            aria-label={`Remove window ${r.name || i + 1}`}
            onClick={() => onRateLimits(rateLimits.filter((_, j) => j !== i))}
          >
            ×
          </ActionIcon>
        </Group>
      ))}
      <Group>
        <Button
          variant="light"
          size="xs"
          disabled={rateLimits.length >= 10}
          onClick={() =>
            onRateLimits([
              ...rateLimits,
              {
                name: rateLimits.length === 0 ? 'burst' : `window${rateLimits.length + 1}`,
                limit: 50,
                windowSeconds: 1,
              },
            ])
          }
        >
          Add rate limit
        </Button>
      </Group>
    </Stack>
  );
}

/** A quota of credits: on or off, how many, and when it refills. */
export function QuotaFields({ quota, onQuota }: { quota: QuotaSetting; onQuota: (v: QuotaSetting) => void }) {
  return (
    <Stack gap="xs">
      <Switch
        label="Quota of credits"
        description="Each successful verification spends one (or the cost the platform passes); at zero it is refused (quota_exhausted)."
        checked={quota !== null}
        onChange={(e) => onQuota(e.currentTarget.checked ? { limit: 1000, refill: null } : null)}
      />
      {quota && (
        <Group gap="xs" align="flex-end" wrap="wrap">
          <NumberInput
            label="Credits"
            min={1}
            allowDecimal={false}
            thousandSeparator=","
            value={quota.limit}
            onChange={(v) => onQuota({ ...quota, limit: Number(v) || 0 })}
            w={140}
          />
          <Select
            label="Refill"
            data={[
              { value: 'never', label: 'Never' },
              { value: 'day', label: 'Every day (UTC)' },
              { value: 'month', label: 'Every month (UTC)' },
            ]}
            value={quota.refill?.interval ?? 'never'}
            onChange={(v) =>
              onQuota({
                ...quota,
                refill:
                  v === 'day' || v === 'month'
                    ? { interval: v, amount: quota.refill?.amount ?? quota.limit }
                    : null,
              })
            }
            allowDeselect={false}
            w={170}
          />
          {quota.refill && (
            <NumberInput
              label="Refill amount"
              min={1}
              allowDecimal={false}
              thousandSeparator=","
              value={quota.refill.amount}
              onChange={(v) => onQuota({ ...quota, refill: { ...quota.refill!, amount: Number(v) || 0 } })}
              w={140}
            />
          )}
        </Group>
      )}
    </Stack>
  );
}
