import { Alert, Button, Radio, Stack, Text } from '@mantine/core';
import { Dialog } from '../../components/dialog';
import { call, lk } from '../../api/client';
import { useOrgMutation } from '../../api/queries';
import type { RotateBody, Token } from '../../api/types';
import { ErrorAlert } from '../../components/states';
import { OverlapSelect, RetireAtInput, useRetirement } from './retirement';
import type { Revealed } from './reveal-dialog';
import { previousValueText } from './token-status';
import { DialogActions } from '../../components/dialog-actions';

type Retire = RotateBody['retire'];

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
  const retirement = useRetirement(recommended.retire);
  const { retire, setRetire, atError } = retirement;
  const rotate = useOrgMutation(org, (body: RotateBody) =>
    call(
      lk.POST('/api/v1/orgs/{org}/tokens/{id}/rotate', {
        params: { path: { org, id: token.id } },
        body,
      }),
    ),
  );
  const submit = async () => {
    if (!retirement.body) return;
    const r = await rotate.mutateAsync(retirement.body).catch(() => null);
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
    <Dialog opened onClose={onClose} title={`Rotate ${token.name}`} size="lg">
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
            {retire === 'on_first_use' && <OverlapSelect retirement={retirement} />}
            {option(
              'at',
              'At a time you choose',
              'Both values work until then, so every copy of the old one can be replaced first.',
            )}
            {retire === 'at' && <RetireAtInput retirement={retirement} label="Old value stops working at" />}
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
        <DialogActions onClose={onClose}>
          <Button disabled={atError !== null} loading={rotate.isPending} onClick={() => void submit()}>
            Rotate
          </Button>
        </DialogActions>
      </Stack>
    </Dialog>
  );
}
