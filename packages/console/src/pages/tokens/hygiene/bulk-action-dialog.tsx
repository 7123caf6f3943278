import { Alert, Button, List, Radio, Stack, Text, TextInput } from '@mantine/core';
import { useState, type ReactNode } from 'react';
import { Dialog } from '../../../components/dialog';
import { ApiError, call, errorMessage, lk } from '../../../api/client';
import { useOrgMutation } from '../../../api/queries';
import type { BulkAnswer, BulkBody, HygieneAction, ReportRow, RotateBody } from '../../../api/types';
import { expiryError, localDateTimeInput } from '../../../validation/forms';
import { OverlapSelect, RetireAtInput, useRetirement } from '../retirement';
import { ServiceAccountSelect } from '../service-account-select';
import { httpOrigins, refusalText, tokensText } from './reasons';
import { DialogActions } from '../../../components/dialog-actions';

type Retire = RotateBody['retire'];
type Permissions = NonNullable<BulkBody['permissions']>;

const DAY_MS = 86_400_000;
/** How many names the dialog lists before "and N more". */
const NAMES_SHOWN = 8;

const TITLE: Record<HygieneAction, (n: string) => string> = {
  revoke: (n) => `Revoke ${n}?`,
  use_https: (n) => `Switch ${n} to https://?`,
  set_expiry: (n) => `Set an expiry on ${n}`,
  reassign: (n) => `Reassign ${n}`,
  rotate: (n) => `Rotate ${n}`,
};
const CONFIRM: Record<HygieneAction, (n: string) => string> = {
  revoke: (n) => `Revoke ${n}`,
  use_https: (n) => `Switch ${n}`,
  set_expiry: (n) => `Set expiry on ${n}`,
  reassign: (n) => `Reassign ${n}`,
  rotate: (n) => `Rotate ${n}`,
};

/**
 * One action on the selected tokens, in one request (POST /orgs/{org}/tokens/bulk): what it will do to how
 * many tokens, what it needs (an expiry, a service account, when old values retire), and the action. The
 * server changes all of them or none; its refusal, naming the token, is shown here and nothing changes.
 */
export function BulkActionDialog({
  org,
  action,
  rows,
  onClose,
  onDone,
}: {
  org: string;
  action: HygieneAction;
  rows: ReportRow[];
  onClose: () => void;
  onDone: (answer: BulkAnswer) => void;
}) {
  const count = tokensText(rows.length);
  const ids = rows.map((r) => r.id);
  const [expiresAt, setExpiresAt] = useState(() => localDateTimeInput(new Date(Date.now() + 90 * DAY_MS)));
  const [serviceAccountId, setServiceAccountId] = useState<string | null>(null);
  const [permissions, setPermissions] = useState<Permissions>('keep');
  const retirement = useRetirement('on_first_use');
  const { retire, setRetire } = retirement;
  const bulk = useOrgMutation(org, (body: BulkBody) =>
    call(lk.POST('/api/v1/orgs/{org}/tokens/bulk', { params: { path: { org } }, body })),
  );

  const expiryProblem = action === 'set_expiry' ? expiryError(expiresAt) : null;
  const body = ((): BulkBody | null => {
    switch (action) {
      case 'revoke':
      case 'use_https':
        return { action, ids };
      case 'set_expiry':
        return expiryProblem ? null : { action, ids, expiresAt: new Date(expiresAt).toISOString() };
      case 'reassign':
        return serviceAccountId ? { action, ids, serviceAccountId, permissions } : null;
      case 'rotate':
        return retirement.body ? { action, ids, ...retirement.body } : null;
    }
  })();
  const submit = async () => {
    if (!body) return;
    const answer = await bulk.mutateAsync(body).catch(() => null);
    if (answer) onDone(answer);
  };
  const refusal =
    bulk.error instanceof ApiError
      ? refusalText(bulk.error.message, bulk.error.details, rows)
      : bulk.error
        ? errorMessage(bulk.error)
        : null;
  const publicCount = rows.filter((r) => r.type === 'public').length;

  let details: ReactNode;
  switch (action) {
    case 'revoke':
      details = (
        <Text size="sm">
          This revokes {count}: {rows.length === 1 ? 'it stops' : 'they stop'} working at once, everywhere.
          This cannot be undone.
        </Text>
      );
      break;
    case 'use_https':
      details = (
        <>
          <Text size="sm">
            This changes the allowed origins of {count} from http:// to https:// (same host and port). Pages
            still served over http:// are refused from then on: move them to https:// first.
          </Text>
          <List size="sm" aria-label="Origins that change">
            {rows.flatMap((r) =>
              httpOrigins(r).map((o) => (
                <List.Item key={`${r.id} ${o}`}>
                  {r.name}: {o} → https://{o.slice('http://'.length)}
                </List.Item>
              )),
            )}
          </List>
        </>
      );
      break;
    case 'set_expiry':
      details = (
        <>
          <Text size="sm">
            {count} will stop working at this time. An expiry beyond the org&apos;s maximum token lifetime is
            refused.
          </Text>
          <TextInput
            label="Expires at"
            type="datetime-local"
            value={expiresAt}
            onChange={(e) => setExpiresAt(e.currentTarget.value)}
            error={expiryProblem}
            w={260}
          />
        </>
      );
      break;
    case 'reassign':
      details = (
        <>
          <Text size="sm">
            Tokens can only be reassigned to a service account. Their values stay the same, so whatever uses
            them keeps working.
          </Text>
          <ServiceAccountSelect org={org} value={serviceAccountId} onChange={setServiceAccountId} />
          <Radio.Group
            label="Permissions"
            value={permissions}
            onChange={(v) => setPermissions(v as Permissions)}
          >
            <Stack gap="xs" mt="xs">
              <Radio
                value="keep"
                label="Keep what each token can do now (recommended)"
                description="Narrowed by the service account's role where it holds less."
              />
              <Radio
                value="owner_role"
                label="Everything the service account's role allows"
                description="This may widen a token; you must hold that role yourself."
              />
            </Stack>
          </Radio.Group>
        </>
      );
      break;
    case 'rotate':
      details = (
        <>
          <Text size="sm">
            Each of the {count} gets a new value; ids, owners, permissions and history stay. The new values
            are shown once.
          </Text>
          <Radio.Group
            label="When the current values stop working"
            value={retire}
            onChange={(v) => setRetire(v as Retire)}
          >
            <Stack gap="xs" mt="xs">
              <Radio
                value="on_first_use"
                label="On first use of the new value (recommended for private tokens)"
                description="Both values work until the new one is first used; at the latest after the time below."
              />
              {retire === 'on_first_use' && <OverlapSelect retirement={retirement} />}
              <Radio
                value="at"
                label="At a time you choose"
                description="Both values work until then, so every copy can be replaced first."
              />
              {retire === 'at' && (
                <RetireAtInput retirement={retirement} label="Old values stop working at" />
              )}
              <Radio value="now" label="Now" description="The old values stop working at once." />
            </Stack>
          </Radio.Group>
          {publicCount > 0 && retire === 'on_first_use' && (
            <Alert color="orange" role="note">
              {tokensText(publicCount)} of these {publicCount === 1 ? 'is' : 'are'} public, embedded in web
              pages: on first use, the first visitor with the new page would cut off everyone still sending
              the old value. Rotate public tokens at a time after your deploy.
            </Alert>
          )}
        </>
      );
      break;
  }

  return (
    <Dialog opened onClose={onClose} title={TITLE[action](count)} size="lg">
      <Stack>
        {refusal && (
          <Alert color="red" role="alert">
            {refusal}
          </Alert>
        )}
        {details}
        <div>
          <Text size="sm" fw={500} id="bulk-tokens-label">
            {rows.length === 1 ? 'The token' : `The ${count}`}
          </Text>
          <List size="sm" aria-labelledby="bulk-tokens-label">
            {rows.slice(0, NAMES_SHOWN).map((r) => (
              <List.Item key={r.id}>{r.name}</List.Item>
            ))}
            {rows.length > NAMES_SHOWN && <List.Item>and {rows.length - NAMES_SHOWN} more</List.Item>}
          </List>
        </div>
        <DialogActions onClose={onClose}>
          <Button
            color={action === 'revoke' ? 'red' : undefined}
            disabled={body === null}
            loading={bulk.isPending}
            onClick={() => void submit()}
          >
            {CONFIRM[action](count)}
          </Button>
        </DialogActions>
      </Stack>
    </Dialog>
  );
}
