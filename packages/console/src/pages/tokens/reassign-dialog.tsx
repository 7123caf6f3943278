import { Button, Modal, Stack, Text } from '@mantine/core';
import { useState } from 'react';
import { useOrgMutation } from '../../api/queries';
import type { Token } from '../../api/types';
import { ErrorAlert } from '../../components/states';
import { reassignTokens } from './reassign-tokens';
import { ServiceAccountSelect } from './service-account-select';
import { DialogActions } from '../../components/dialog-actions';

/** Reassign Token: only service accounts are offered (tokens may never be given to a person). */
export function ReassignDialog({
  org,
  tokens,
  onClose,
}: {
  org: string;
  tokens: Token[];
  onClose: () => void;
}) {
  const [target, setTarget] = useState<string | null>(null);
  const reassign = useOrgMutation(org, (to: string) => reassignTokens(org, tokens, to));
  const title =
    tokens.length === 1 ? `Reassign Token "${tokens[0]!.name}"` : `Reassign ${tokens.length} tokens`;
  return (
    <Modal opened onClose={onClose} title={title}>
      <Stack>
        <ErrorAlert error={reassign.error} />
        <Text size="sm">
          Tokens can only be reassigned to a service account. The value stays the same, so sites using it keep
          working.
        </Text>
        <ServiceAccountSelect org={org} value={target} onChange={setTarget} />
        <DialogActions onClose={onClose}>
          <Button
            disabled={!target}
            loading={reassign.isPending}
            onClick={() => {
              if (target) void reassign.mutateAsync(target).then(onClose, () => undefined);
            }}
          >
            Reassign
          </Button>
        </DialogActions>
      </Stack>
    </Modal>
  );
}
