import { Button, Stack, TextInput } from '@mantine/core';
import { useState } from 'react';
import { Dialog } from '../../components/dialog';
import { call, lk } from '../../api/client';
import { useOrgMutation } from '../../api/queries';
import type { Token } from '../../api/types';
import { ErrorAlert } from '../../components/states';
import { domainError } from '../../validation/forms';
import { DialogActions } from '../../components/dialog-actions';
import { DomainsInput } from '../../components/domains-input';
import { LimitFields, quotaSetting, type QuotaSetting } from './limit-fields';
import { RestrictionFields } from './restriction-fields';

export function EditTokenModal({ org, token, onClose }: { org: string; token: Token; onClose: () => void }) {
  const [name, setName] = useState(token.name);
  const [domains, setDomains] = useState(token.domains);
  const [allowedIps, setAllowedIps] = useState(token.allowedIps);
  const [enforcement, setEnforcement] = useState(token.enforcement);
  const [rateLimits, setRateLimits] = useState(token.rateLimits);
  const [quota, setQuota] = useState(quotaSetting(token.quota));
  const save = useOrgMutation(
    org,
    () =>
      call(
        lk.PATCH('/api/v1/orgs/{org}/tokens/{id}', {
          params: { path: { org, id: token.id } },
          // Only what was changed here: another admin's change meanwhile (say, to enforcement) is not undone.
          body: changedSettings(token, { name, domains, allowedIps, enforcement, rateLimits, quota }),
        }),
      ),
    `${token.name} saved.`,
  );
  const badDomain =
    token.type === 'public'
      ? domains.length === 0
        ? 'A public token needs at least one domain.'
        : (domains.map(domainError).find((e) => e) ?? null)
      : null;
  return (
    <Dialog opened onClose={onClose} title={`Edit ${token.name}`}>
      <Stack>
        <ErrorAlert error={save.error} />
        <TextInput label="Name" value={name} onChange={(e) => setName(e.currentTarget.value)} />
        {token.type === 'public' && <DomainsInput value={domains} onChange={setDomains} error={badDomain} />}
        <RestrictionFields
          allowedIps={allowedIps}
          onAllowedIps={setAllowedIps}
          enforcement={enforcement}
          onEnforcement={setEnforcement}
        />
        <LimitFields rateLimits={rateLimits} onRateLimits={setRateLimits} quota={quota} onQuota={setQuota} />
        <DialogActions onClose={onClose}>
          <Button
            disabled={!name.trim() || badDomain !== null}
            loading={save.isPending}
            onClick={() => void save.mutateAsync(undefined).then(onClose, () => undefined)}
          >
            Save
          </Button>
        </DialogActions>
      </Stack>
    </Dialog>
  );
}

type EditedSettings = Pick<Token, 'name' | 'domains' | 'allowedIps' | 'enforcement' | 'rateLimits'> & {
  quota: QuotaSetting;
};

/** The fields of the Edit dialog that differ from the token as it was opened (at least the name). */
export function changedSettings(token: Token, edited: EditedSettings): Partial<EditedSettings> {
  const same = (a: readonly string[], b: readonly string[]) =>
    a.length === b.length && a.every((x, i) => x === b[i]);
  const body: Partial<EditedSettings> = {};
  if (edited.name !== token.name) body.name = edited.name;
  if (token.type === 'public' && !same(edited.domains, token.domains)) body.domains = edited.domains;
  if (!same(edited.allowedIps, token.allowedIps)) body.allowedIps = edited.allowedIps;
  if (edited.enforcement !== token.enforcement) body.enforcement = edited.enforcement;
  if (JSON.stringify(edited.rateLimits) !== JSON.stringify(token.rateLimits))
    body.rateLimits = edited.rateLimits;
  // Sending the same quota again would be harmless (the balance is kept), but it is not a change.
  if (JSON.stringify(edited.quota) !== JSON.stringify(quotaSetting(token.quota))) body.quota = edited.quota;
  // PATCH needs one field: an unchanged dialog saves the name, which changes nothing.
  return Object.keys(body).length > 0 ? body : { name: edited.name };
}
