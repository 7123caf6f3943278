import { Button, Group, Modal, Select, Stack, Text } from '@mantine/core';
import { useState } from 'react';
import { call, lk } from '../../api/client';
import { activeServiceAccountOptions, useOrgMutation, useServiceAccounts } from '../../api/queries';
import type { Token } from '../../api/types';
import { ErrorAlert } from '../../components/states';

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
  const accounts = useServiceAccounts(org);
  const [target, setTarget] = useState<string | null>(null);
  const reassign = useOrgMutation(org, async (to: string) => {
    for (const t of tokens)
      await call(
        lk.POST('/api/v1/orgs/{org}/tokens/{id}/reassign', {
          params: { path: { org, id: t.id } },
          body: { serviceAccountId: to },
        }),
      );
  });
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
        <Select
          label="Service account"
          placeholder="Choose a service account"
          data={activeServiceAccountOptions(accounts.data)}
          value={target}
          onChange={setTarget}
          nothingFoundMessage="No service account: add one under Members → Service Accounts"
        />
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button
            disabled={!target}
            loading={reassign.isPending}
            onClick={() => {
              if (target) void reassign.mutateAsync(target).then(onClose, () => undefined);
            }}
          >
            Reassign
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
