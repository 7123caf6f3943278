import { Badge, Text, type MantineSize } from '@mantine/core';
import type { Token } from '../../api/types';

const STATUS_COLOR: Record<Token['status'], string> = {
  active: 'green',
  suspended: 'yellow',
  revoked: 'gray',
  expired: 'gray',
};

/** A token's status when it is not plainly active, and whether it was reported leaked. */
export function TokenStatusBadges({ token, size = 'xs' }: { token: Token; size?: MantineSize }) {
  return (
    <>
      {token.status !== 'active' && (
        <Badge size={size} color={STATUS_COLOR[token.status]} data-testid="token-status">
          {token.status}
        </Badge>
      )}
      {token.compromised && (
        <Badge size={size} color="red" data-testid="token-compromised">
          compromised
        </Badge>
      )}
      {token.enforcement === 'report_only' && token.status !== 'revoked' && (
        <Badge size={size} color="blue" variant="light" data-testid="token-report-only">
          report-only
        </Badge>
      )}
    </>
  );
}

/** A moment as people here read it (the browser's locale and time zone). */
export const timeText = (iso: string) => new Date(iso).toLocaleString();

/** A token's expiry as the token tables show it: the day, or never. */
export function TokenExpiry({ expiresAt }: { expiresAt: string | null }) {
  return <Text size="sm">{expiresAt ? new Date(expiresAt).toLocaleDateString() : 'never'}</Text>;
}

/** When the value the last rotation replaced stops verifying, in words. */
export function previousValueText(previous: NonNullable<Token['previousSecret']>): string {
  const latest = previous.retiresAt ? timeText(previous.retiresAt) : null;
  if (previous.retiresOnFirstUse)
    return `Previous value ${previous.hint} retires on first use of the new value${latest ? ` (at the latest ${latest})` : ''}`;
  return latest
    ? `Previous value ${previous.hint} retires at ${latest}`
    : `Previous value ${previous.hint} still works`;
}

/** The replaced value's retirement, while it still verifies; nothing once it has retired. */
export function PreviousValueNote({ token, size = 'xs' }: { token: Token; size?: MantineSize }) {
  if (!token.previousSecret) return null;
  return (
    <Text size={size} c="orange.8" data-testid="previous-value">
      {previousValueText(token.previousSecret)}
    </Text>
  );
}
