import { Alert, Button, Group, Modal, Radio, Select, Stack, Text, TextInput } from '@mantine/core';
import { useState } from 'react';
import { call, lk } from '../../api/client';
import { useOrgMutation } from '../../api/queries';
import type { RotateBody, Token } from '../../api/types';
import { ErrorAlert } from '../../components/states';
import { localDateTimeInput, retireAtError } from '../../validation/forms';
import type { Revealed } from './reveal-dialog';
import { previousValueText } from './token-status';

type Retire = RotateBody['retire'];

export const OVERLAPS = [
  { value: String(3_600), label: '1 hour' },
  { value: String(86_400), label: '1 day' },
  { value: String(7 * 86_400), label: '7 days' },
  { value: String(30 * 86_400), label: '30 days' },
];

/**
 * Which retirement suits which token. A private token lives in one back end: its first call with the new
 * value means the old one is no longer needed. A public token is in pages already open in many browsers
 * (and in caches): the first visitor to load the new page would retire the value everyone else still sends.
 */
const RECOMMENDED: Record<Token['type'], { retire: Retire; why: string }> = {
  private: {
    retire: 'on_first_use',
    why: 'For a private token, used by your own back end: on first use. Once it calls with the new value, nothing needs the old one, and a copy of the old value left behind stops working at once.',
  },
  public: {
    retire: 'at',
    why: "For a public token, embedded in web pages: at a time after your deploy. Visitors' open tabs and cached pages keep sending the old value for a while, and on first use the first visitor with the new page would cut off everyone else. Leave time for the deploy to reach everyone and for caches to expire.",
  },
};

/** Rotate: a new value for the same token, the old one retiring when chosen; the new value is revealed once. */
export function RotateDialog({
  org,
  token,
  onClose,
  onRotated,
}: {
  org: string;
  token: Token;
  onClose: () => void;
  onRotated: (revealed: Revealed) => void;
}) {
  const recommended = RECOMMENDED[token.type];
  const [retire, setRetire] = useState<Retire>(recommended.retire);
  const [overlap, setOverlap] = useState(String(86_400));
  const [at, setAt] = useState(() => localDateTimeInput(new Date(Date.now() + 86_400_000)));
  const atError = retire === 'at' ? retireAtError(at) : null;
  const rotate = useOrgMutation(org, (body: RotateBody) =>
    call(
      lk.POST('/api/v1/orgs/{org}/tokens/{id}/rotate', {
        params: { path: { org, id: token.id } },
        body,
      }),
    ),
  );
  const submit = async () => {
    const body: RotateBody =
      retire === 'at'
        ? { retire, at: new Date(at).toISOString() }
        : retire === 'on_first_use'
          ? { retire, overlapSeconds: Number(overlap) }
          : { retire };
    const r = await rotate.mutateAsync(body).catch(() => null);
    if (!r) return;
    onRotated({
      value: r.token,
      type: r.item.type,
      title: `New value for ${r.item.name}`,
      note: (
        <Text size="sm">
          {r.item.previousSecret
            ? `${previousValueText(r.item.previousSecret)}.`
            : 'The previous value has stopped working.'}
        </Text>
      ),
    });
  };
  const option = (value: Retire, label: string, description: string) => (
    <Radio
      value={value}
      label={value === recommended.retire ? `${label} (recommended)` : label}
      description={description}
    />
  );

  return (
    <Modal opened onClose={onClose} title={`Rotate ${token.name}`} size="lg">
      <Stack>
        <ErrorAlert error={rotate.error} />
        <Text size="sm">
          A new value replaces {token.hint}. The token keeps its id, owner, permissions
          {token.type === 'public' ? ', domains' : ''} and history. The new value is shown once.
        </Text>
        <Radio.Group
          label="When the current value stops working"
          value={retire}
          onChange={(v) => setRetire(v as Retire)}
        >
          <Stack gap="sm" mt="xs">
            {option(
              'on_first_use',
              'On first use of the new value',
              'Both values work until the new one is first used; then the old one stops. If the new value is never used, the old one stops at the latest after the time chosen below.',
            )}
            {retire === 'on_first_use' && (
              <Select
                label="At the latest after"
                data={OVERLAPS}
                value={overlap}
                onChange={(v) => setOverlap(v ?? String(86_400))}
                allowDeselect={false}
                w={200}
                ml="xl"
              />
            )}
            {option(
              'at',
              'At a time you choose',
              'Both values work until then, so every copy of the old one can be replaced first.',
            )}
            {retire === 'at' && (
              <TextInput
                label="Old value stops working at"
                type="datetime-local"
                value={at}
                onChange={(e) => setAt(e.currentTarget.value)}
                error={atError}
                w={260}
                ml="xl"
              />
            )}
            {option(
              'now',
              'Now',
              'The old value stops working at once: whatever still sends it is refused until it has the new value.',
            )}
          </Stack>
        </Radio.Group>
        <Alert color="blue" title="Recommended" role="note">
          {recommended.why}
        </Alert>
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button disabled={atError !== null} loading={rotate.isPending} onClick={() => void submit()}>
            Rotate
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
