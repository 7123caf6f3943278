import { Button, Group, Modal, Stack, TagsInput, TextInput } from '@mantine/core';
import { useState } from 'react';
import { call, lk } from '../../api/client';
import { useOrgMutation } from '../../api/queries';
import type { Token } from '../../api/types';
import { ErrorAlert } from '../../components/states';
import { domainError } from '../../validation/forms';

export function EditTokenModal({ org, token, onClose }: { org: string; token: Token; onClose: () => void }) {
  const [name, setName] = useState(token.name);
  const [domains, setDomains] = useState(token.domains);
  const save = useOrgMutation(org, () =>
    call(
      lk.PATCH('/api/v1/orgs/{org}/tokens/{id}', {
        params: { path: { org, id: token.id } },
        body: { name, ...(token.type === 'public' ? { domains } : {}) },
      }),
    ),
  );
  const badDomain =
    token.type === 'public'
      ? domains.length === 0
        ? 'A public token needs at least one domain.'
        : (domains.map(domainError).find((e) => e) ?? null)
      : null;
  return (
    <Modal opened onClose={onClose} title={`Edit ${token.name}`}>
      <Stack>
        <ErrorAlert error={save.error} />
        <TextInput label="Name" value={name} onChange={(e) => setName(e.currentTarget.value)} />
        {token.type === 'public' && (
          <TagsInput
            label="Domains"
            value={domains}
            onChange={setDomains}
            error={badDomain}
            splitChars={[',', ' ']}
          />
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button
            disabled={!name.trim() || badDomain !== null}
            loading={save.isPending}
            onClick={() => void save.mutateAsync(undefined).then(onClose, () => undefined)}
          >
            Save
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
