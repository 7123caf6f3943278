import { SegmentedControl, Stack, TagsInput, Text } from '@mantine/core';
import type { Token } from '../../api/types';

export type Enforcement = Token['enforcement'];

/**
 * A token's IP allowlist and whether its allowlists refuse or only report — the same two fields in the
 * Add Token form and the Edit dialog. Entries are checked by the server, whose refusal names the entry
 * (and, for `203.0.113.7/24`, the network meant).
 */
export function RestrictionFields({
  allowedIps,
  onAllowedIps,
  enforcement,
  onEnforcement,
  error,
}: {
  allowedIps: string[];
  onAllowedIps: (v: string[]) => void;
  enforcement: Enforcement;
  onEnforcement: (v: Enforcement) => void;
  error?: string | null;
}) {
  return (
    <Stack gap="xs">
      <TagsInput
        label="IP allowlist"
        description="Addresses or CIDR ranges it may be used from, e.g. 203.0.113.0/24 or 2001:db8::/32. Empty: from anywhere."
        placeholder="203.0.113.0/24 — press Enter after each"
        splitChars={[',', ' ']}
        value={allowedIps}
        onChange={onAllowedIps}
        error={error}
      />
      <div>
        <Text size="sm" fw={500} mb={4}>
          Allowlists
        </Text>
        <SegmentedControl
          aria-label="Allowlist enforcement"
          data={[
            { value: 'enforce', label: 'Enforce' },
            { value: 'report_only', label: 'Report only' },
          ]}
          value={enforcement}
          onChange={(v) => onEnforcement(v as Enforcement)}
        />
        <Text size="xs" c="dimmed" mt={4}>
          {enforcement === 'enforce'
            ? 'Requests from origins or addresses not listed are refused.'
            : 'Requests from origins or addresses not listed are allowed and counted: see the token page, then enforce.'}
        </Text>
      </div>
    </Stack>
  );
}
