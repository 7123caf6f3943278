import { Alert, Button, Stack, Text, TextInput, Textarea } from '@mantine/core';
import { useState } from 'react';
import { Dialog } from '../../components/dialog';
import { call, lk } from '../../api/client';
import { useOrgMutation } from '../../api/queries';
import type { LeakReport, Token } from '../../api/types';
import { ErrorAlert } from '../../components/states';
import type { Revealed } from './reveal-dialog';
import { DialogActions } from '../../components/dialog-actions';

/** The create-token body for a leaked token's replacement: the same settings, a new value. */
function replacementBody(r: LeakReport['replacement'], serviceAccountId: string) {
  return {
    name: r.name,
    serviceAccountId,
    type: r.type,
    ...(r.type === 'public' ? { domains: r.domains } : {}),
    // The leaked token's restrictions carry over: a replacement usable from anywhere would undo them.
    allowedIps: r.allowedIps,
    enforcement: r.enforcement,
    // And its limits: a leaked value's replacement is no less limited (a new quota starts full).
    rateLimits: r.rateLimits,
    quota: r.quota,
    ...(r.permissions ? { permissions: r.permissions } : {}),
  };
}

/**
 * Report leaked: the token is revoked at once and marked compromised, with where it was found. Then one
 * click issues a replacement with the same settings, whose value is revealed once.
 */
export function ReportLeakDialog({
  org,
  token,
  onClose,
  onReplaced,
}: {
  org: string;
  token: Token;
  onClose: () => void;
  onReplaced: (revealed: Revealed) => void;
}) {
  const [where, setWhere] = useState('');
  const [note, setNote] = useState('');
  const report = useOrgMutation(org, () =>
    call(
      lk.POST('/api/v1/orgs/{org}/tokens/{id}/report-leak', {
        params: { path: { org, id: token.id } },
        body: {
          ...(where.trim() ? { where: where.trim() } : {}),
          ...(note.trim() ? { note: note.trim() } : {}),
        },
      }),
    ),
  );
  const replace = useOrgMutation(org, (body: ReturnType<typeof replacementBody>) =>
    call(lk.POST('/api/v1/orgs/{org}/tokens', { params: { path: { org } }, body })),
  );
  const reported = report.data;
  const serviceAccountId = reported?.replacement.serviceAccountId ?? null;
  const createReplacement = async () => {
    if (!reported || !serviceAccountId) return;
    const r = await replace
      .mutateAsync(replacementBody(reported.replacement, serviceAccountId))
      .catch(() => null);
    if (r) onReplaced({ value: r.token, type: r.item.type, title: `Replacement for ${token.name}` });
  };
  const failure = report.error ?? replace.error;

  return (
    <Dialog opened onClose={onClose} title={`Report ${token.name} leaked`} size="lg">
      <Stack>
        <ErrorAlert error={failure} />
        {reported ? (
          <>
            <Alert color="orange" title="Revoked and marked compromised" role="status">
              {token.name} no longer works anywhere.{' '}
              {serviceAccountId
                ? 'Create a replacement with the same service account, type, domains and permissions, then put its value where the leaked one was used.'
                : 'It was owned by a person, not a service account: create its replacement with Add Token.'}
            </Alert>
            <DialogActions onClose={onClose} closeLabel="Close">
              {serviceAccountId && (
                <Button loading={replace.isPending} onClick={() => void createReplacement()}>
                  Create replacement
                </Button>
              )}
            </DialogActions>
          </>
        ) : (
          <>
            <Alert color="red" title="This revokes the token at once" role="note">
              Everything using {token.name} ({token.hint}) stops working now, and it cannot be undone. If you
              only need time to investigate, suspend it instead.
            </Alert>
            <TextInput
              label="Where was it found?"
              description="Optional, e.g. the URL of a public repository or paste"
              value={where}
              onChange={(e) => setWhere(e.currentTarget.value)}
              maxLength={2048}
            />
            <Textarea
              label="Note"
              description="Optional"
              value={note}
              onChange={(e) => setNote(e.currentTarget.value)}
              maxLength={2000}
              autosize
              minRows={2}
            />
            <Text size="sm" c="dimmed">
              Next, you can create a replacement with the same settings in one click.
            </Text>
            <DialogActions onClose={onClose}>
              <Button color="red" loading={report.isPending} onClick={() => report.mutate(undefined)}>
                Revoke and report leaked
              </Button>
            </DialogActions>
          </>
        )}
      </Stack>
    </Dialog>
  );
}
