import { Button, MultiSelect, SegmentedControl, Select, Stack, Text, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { Dialog } from '../../components/dialog';
import { call, lk } from '../../api/client';
import { activeServiceAccountOptions, useOrgMutation, useRoles, useServiceAccounts } from '../../api/queries';
import type { Token } from '../../api/types';
import { ErrorAlert } from '../../components/states';
import {
  domainError,
  grantablePermissions,
  tokenFormErrors,
  type TokenFormValues,
} from '../../validation/forms';
import { DialogActions } from '../../components/dialog-actions';
import { DomainsInput } from '../../components/domains-input';
import { LimitFields } from './limit-fields';
import { RestrictionFields } from './restriction-fields';

/** The Add Token form: every field; the service account is required and public tokens need domains. */
export function AddTokenModal({
  org,
  opened,
  onClose,
  onCreated,
}: {
  org: string;
  opened: boolean;
  onClose: () => void;
  onCreated: (value: string, token: Token) => void;
}) {
  const accounts = useServiceAccounts(org);
  const roles = useRoles(org);
  const form = useForm<TokenFormValues>({
    mode: 'controlled',
    initialValues: {
      name: '',
      serviceAccountId: null,
      type: 'private',
      domains: [],
      allowedIps: [],
      enforcement: 'enforce',
      rateLimits: [],
      quota: null,
      permissions: [],
      expiresAt: '',
    },
    validate: (v) => tokenFormErrors(v),
  });
  const create = useOrgMutation(org, (v: TokenFormValues) =>
    call(
      lk.POST('/api/v1/orgs/{org}/tokens', {
        params: { path: { org } },
        body: {
          name: v.name.trim(),
          // tokenFormErrors refuses a form without one before this runs.
          serviceAccountId: v.serviceAccountId ?? '',
          type: v.type,
          ...(v.type === 'public' ? { domains: v.domains } : {}),
          ...(v.allowedIps.length > 0 ? { allowedIps: v.allowedIps } : {}),
          ...(v.enforcement !== 'enforce' ? { enforcement: v.enforcement } : {}),
          ...(v.rateLimits.length > 0 ? { rateLimits: v.rateLimits } : {}),
          ...(v.quota ? { quota: v.quota } : {}),
          ...(v.permissions.length > 0 ? { permissions: v.permissions } : {}),
          ...(v.expiresAt ? { expiresAt: new Date(v.expiresAt).toISOString() } : {}),
        },
      }),
    ),
  );
  const close = () => {
    form.reset();
    create.reset();
    onClose();
  };
  const sa = (accounts.data ?? []).find((a) => a.id === form.values.serviceAccountId);
  const role = (roles.data?.items ?? []).find((r) => r.id === sa?.roleId);
  const grantable = role
    ? grantablePermissions(role.permissions, form.values.type, roles.data?.catalog.publicSafe ?? [])
    : [];
  const badDomain = form.values.domains.map(domainError).find((e) => e !== null) ?? null;

  return (
    <Dialog opened={opened} onClose={close} title="Add Token" size="lg">
      <form
        noValidate
        onSubmit={form.onSubmit(async (v) => {
          const r = await create.mutateAsync(v).catch(() => null);
          if (r) {
            close();
            onCreated(r.token, r.item);
          }
        })}
      >
        <Stack>
          <ErrorAlert error={create.error} />
          <TextInput label="Name" required data-autofocus {...form.getInputProps('name')} />
          <Select
            label="Service account"
            required
            placeholder="Choose the service account that owns this token"
            data={activeServiceAccountOptions(accounts.data)}
            nothingFoundMessage="No service account yet: add one under Members → Service Accounts"
            searchable
            {...form.getInputProps('serviceAccountId')}
            onChange={(v) => {
              form.setFieldValue('serviceAccountId', v);
              form.setFieldValue('permissions', []);
            }}
          />
          <div>
            <Text size="sm" fw={500} mb={4}>
              Type
            </Text>
            <SegmentedControl
              aria-label="Token type"
              data={[
                { value: 'private', label: 'Private' },
                { value: 'public', label: 'Public' },
              ]}
              {...form.getInputProps('type')}
              onChange={(v) => {
                form.setFieldValue('type', v as 'public' | 'private');
                form.setFieldValue('permissions', []);
              }}
            />
            <Text size="xs" c="dimmed" mt={4}>
              {form.values.type === 'private'
                ? 'A private token works from anywhere: keep it on a server.'
                : 'A public token works only from the domains listed below, for public-safe permissions. Use it in web pages.'}
            </Text>
          </div>
          {form.values.type === 'public' && (
            <DomainsInput
              required
              description="Origins allowed to use the token, e.g. https://subdomain1.yourwebpage.com. Wildcards are not supported: list every subdomain."
              value={form.values.domains}
              onChange={(d) => form.setFieldValue('domains', d)}
              error={form.errors.domains ?? badDomain}
            />
          )}
          <RestrictionFields
            allowedIps={form.values.allowedIps}
            onAllowedIps={(v) => form.setFieldValue('allowedIps', v)}
            enforcement={form.values.enforcement}
            onEnforcement={(v) => form.setFieldValue('enforcement', v)}
          />
          <LimitFields
            rateLimits={form.values.rateLimits}
            onRateLimits={(v) => form.setFieldValue('rateLimits', v)}
            quota={form.values.quota}
            onQuota={(v) => form.setFieldValue('quota', v)}
          />
          <MultiSelect
            label="Permissions"
            description={
              sa
                ? `Limited to what ${sa.name} holds${form.values.type === 'public' ? ' and to public-safe permissions' : ''}. Empty = all of them.`
                : 'Choose a service account first.'
            }
            data={grantable}
            disabled={!sa}
            searchable
            clearable
            {...form.getInputProps('permissions')}
          />
          <TextInput
            label="Expires at"
            type="datetime-local"
            description="Optional"
            {...form.getInputProps('expiresAt')}
          />
          <DialogActions onClose={close}>
            <Button type="submit" loading={create.isPending}>
              Create token
            </Button>
          </DialogActions>
        </Stack>
      </form>
    </Dialog>
  );
}
