import { Alert, Button, List, Stack, Text } from '@mantine/core';
import { useState } from 'react';
import { Dialog } from '../../components/dialog';
import { useOrgMutation, useRoles, useServiceAccounts } from '../../api/queries';
import type { Token } from '../../api/types';
import { ErrorAlert } from '../../components/states';
import { permissionLosses, reassignTokens, type BulkMatching } from './reassign-tokens';

/** "All N matching" on the Tokens page: the filters, and how many tokens they matched when chosen. */
export interface MatchingSelection {
  filters: BulkMatching;
  count: number;
}
import { ServiceAccountSelect } from './service-account-select';
import { DialogActions } from '../../components/dialog-actions';

/**
 * Reassign Token: only service accounts are offered (tokens may never be given to a person), each with its
 * role. Before anything changes, the dialog says which tokens would lose permissions the new owner's role
 * does not grant; none ever gains any. All the tokens move in one request, or none does.
 */
export function ReassignDialog({
  org,
  tokens,
  matching,
  onClose,
}: {
  org: string;
  tokens: Token[];
  /** Every token the list's filters match, on every page, instead of `tokens`. */
  matching?: MatchingSelection;
  onClose: () => void;
}) {
  const [target, setTarget] = useState<string | null>(null);
  const accounts = useServiceAccounts(org);
  const roles = useRoles(org);
  const count = matching ? matching.count : tokens.length;
  const reassign = useOrgMutation(
    org,
    (to: string) =>
      reassignTokens(org, matching ? { matching: matching.filters, count: matching.count } : tokens, to),
    count === 1 && !matching ? `${tokens[0]!.name} reassigned.` : `${count} tokens reassigned.`,
  );
  const account = accounts.data?.find((a) => a.id === target);
  // The preview needs each token's permissions: for "all matching" the dialog states the rule instead.
  const losses = target && !matching ? permissionLosses(tokens, account, roles.data?.items) : null;
  const title = count === 1 && !matching ? `Reassign Token "${tokens[0]!.name}"` : `Reassign ${count} tokens`;
  return (
    <Dialog opened onClose={onClose} title={title}>
      <Stack>
        <ErrorAlert error={reassign.error} />
        <Text size="sm">
          Tokens can only be reassigned to a service account. The value stays the same, so sites using it keep
          working, and it never gains a permission it does not have now.
        </Text>
        <ServiceAccountSelect org={org} value={target} onChange={setTarget} />
        {matching && target && (
          <Text size="sm" data-testid="reassign-permissions">
            Each of the {count} tokens keeps at most what it can do now: whatever the {account?.roleName} role
            does not grant, it loses.
          </Text>
        )}
        {losses && losses.length === 0 && (
          <Text size="sm" data-testid="reassign-permissions">
            {tokens.length === 1 ? 'It keeps' : 'Each keeps'} every permission it has now: the{' '}
            {account?.roleName} role grants them all.
          </Text>
        )}
        {losses && losses.length > 0 && (
          <Alert color="orange" title="Some permissions are lost" data-testid="reassign-permissions">
            <Text size="sm">
              The {account?.roleName} role does not grant these, so after the move{' '}
              {losses.length === 1 ? 'this token' : `these ${losses.length} tokens`} can no longer:
            </Text>
            <List size="sm" mt="xs">
              {losses.slice(0, 5).map((l) => (
                <List.Item key={l.token.id}>
                  {l.token.name}: {l.lost.join(', ')}
                </List.Item>
              ))}
            </List>
            {losses.length > 5 && (
              <Text size="sm" mt="xs">
                … and {losses.length - 5} more.
              </Text>
            )}
          </Alert>
        )}
        <DialogActions onClose={onClose}>
          <Button
            disabled={!target}
            loading={reassign.isPending}
            onClick={() => {
              if (target) void reassign.mutateAsync(target).then(onClose, () => undefined);
            }}
          >
            {count === 1 && !matching ? 'Reassign' : `Reassign ${count} tokens`}
          </Button>
        </DialogActions>
      </Stack>
    </Dialog>
  );
}
