import { MultiSelect, Stack, Text, TextInput } from '@mantine/core';
import { useState } from 'react';
import { Dialog } from '../../components/dialog';
import { call, lk } from '../../api/client';
import { useMembers, useOrgMutation, useRoles, useServiceAccounts } from '../../api/queries';
import { useAllows, type Permission } from '../../components/permission-gate';
import type { Token } from '../../api/types';
import { ErrorAlert } from '../../components/states';
import { domainError, expiryError, grantablePermissions, localDateTimeInput } from '../../validation/forms';
import { DialogActions, SubmitButton } from '../../components/dialog-actions';
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
  const [permissions, setPermissions] = useState<string[]>(token.permissions ?? []);
  const [expiresAt, setExpiresAt] = useState(
    token.expiresAt ? localDateTimeInput(new Date(token.expiresAt)) : '',
  );
  const grantable = useGrantable(org, token);
  const save = useOrgMutation(
    org,
    () =>
      call(
        lk.PATCH('/api/v1/orgs/{org}/tokens/{id}', {
          params: { path: { org, id: token.id } },
          // Only what was changed here: another admin's change meanwhile (say, to enforcement) is not undone.
          body: changedSettings(token, {
            name,
            domains,
            allowedIps,
            enforcement,
            rateLimits,
            quota,
            permissions,
            expiresAt,
          }),
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
  // Emptying the field removes the expiry; a new one must be in the future (the org's maximum is the server's).
  const badExpiry = expiresAt && expiresAt !== initialExpiry(token) ? expiryError(expiresAt) : null;
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
        <MultiSelect
          label="Permissions"
          description={
            permissions.length === 0 && token.permissions ? (
              <Text span size="xs" c="orange.9" data-testid="permissions-widen">
                Empty gives it all of {token.owner.name}'s role again: wider than the{' '}
                {token.permissions.length} it has now.
              </Text>
            ) : (
              `Within what ${token.owner.name}'s role and yours hold${token.type === 'public' ? ', public-safe only' : ''}. Empty = all of its role.`
            )
          }
          data={[...new Set([...grantable, ...permissions])]}
          value={permissions}
          onChange={setPermissions}
          searchable
          clearable
        />
        <TextInput
          label="Expires at"
          type="datetime-local"
          description="Empty = never (unless the org sets a maximum lifetime)"
          value={expiresAt}
          onChange={(e) => setExpiresAt(e.currentTarget.value)}
          error={badExpiry}
        />
        <DialogActions onClose={onClose}>
          <SubmitButton
            mutation={save}
            onDone={onClose}
            disabled={!name.trim() || badDomain !== null || badExpiry !== null}
          >
            Save
          </SubmitButton>
        </DialogActions>
      </Stack>
    </Dialog>
  );
}

type EditedSettings = Pick<Token, 'name' | 'domains' | 'allowedIps' | 'enforcement' | 'rateLimits'> & {
  quota: QuotaSetting;
  /** The token's own list; empty = all of its owner's role (sent as null). */
  permissions: string[];
  /** A datetime-local value; empty = no expiry. */
  expiresAt: string;
};
type ChangedSettings = Partial<Omit<EditedSettings, 'permissions' | 'expiresAt'>> & {
  permissions?: string[] | null;
  expiresAt?: string | null;
};

const initialExpiry = (token: Token) =>
  token.expiresAt ? localDateTimeInput(new Date(token.expiresAt)) : '';

/**
 * What the token's owner holds (its service account's role, or for a legacy token its person's) that the
 * signed-in member holds too, public-safe only for a public token: what the Edit dialog offers.
 */
function useGrantable(org: string, token: Token): string[] {
  const roles = useRoles(org);
  const accounts = useServiceAccounts(org);
  const members = useMembers(org);
  const allows = useAllows(org);
  const roleId =
    token.owner.type === 'service_account'
      ? accounts.data?.find((a) => a.id === token.owner.id)?.roleId
      : members.data?.find((m) => m.userId === token.owner.id)?.roleId;
  const role = roles.data?.items.find((r) => r.id === roleId);
  if (!role) return [];
  return grantablePermissions(role.permissions, token.type, roles.data?.catalog.publicSafe ?? []).filter(
    (p) => allows(p as Permission),
  );
}

/** The fields of the Edit dialog that differ from the token as it was opened (at least the name). */
export function changedSettings(token: Token, edited: EditedSettings): ChangedSettings {
  const same = (a: readonly string[], b: readonly string[]) =>
    a.length === b.length && a.every((x, i) => x === b[i]);
  const body: ChangedSettings = {};
  if (edited.name !== token.name) body.name = edited.name;
  if (token.type === 'public' && !same(edited.domains, token.domains)) body.domains = edited.domains;
  if (!same(edited.allowedIps, token.allowedIps)) body.allowedIps = edited.allowedIps;
  if (edited.enforcement !== token.enforcement) body.enforcement = edited.enforcement;
  if (JSON.stringify(edited.rateLimits) !== JSON.stringify(token.rateLimits))
    body.rateLimits = edited.rateLimits;
  // Sending the same quota again would be harmless (the balance is kept), but it is not a change.
  if (JSON.stringify(edited.quota) !== JSON.stringify(quotaSetting(token.quota))) body.quota = edited.quota;
  if (!same([...edited.permissions].sort(), [...(token.permissions ?? [])].sort()))
    body.permissions = edited.permissions.length > 0 ? edited.permissions : null;
  // The input shows minutes: an expiry left as it was is not sent back rounded.
  if (edited.expiresAt !== initialExpiry(token))
    body.expiresAt = edited.expiresAt ? new Date(edited.expiresAt).toISOString() : null;
  // PATCH needs one field: an unchanged dialog saves the name, which changes nothing.
  return Object.keys(body).length > 0 ? body : { name: edited.name };
}
