import { Button, Select, Stack, TextInput, Textarea } from '@mantine/core';
import { useForm } from '@mantine/form';
import { Dialog } from '../../components/dialog';
import { call, lk } from '../../api/client';
import { useOrgMutation, useRoles } from '../../api/queries';
import { ErrorAlert } from '../../components/states';
import { SERVICE_ACCOUNT_NAME_HINT, serviceAccountNameError } from '../../validation/forms';
import { DialogActions } from '../../components/dialog-actions';
import type { AddDialogProps } from '../../components/add-dialog-props';
import { RateLimitFields } from '../tokens/limit-fields';

/** A service account has no inbox of its own: whom its tokens' expiry notices reach besides the Owners. */
export const CONTACT_EMAIL_HINT =
  "Its tokens' expiry notices (30, 7 and 1 days before) go here as well as to the org's Owners.";

export function AddServiceAccountModal({ org, opened, onClose, onCreated }: AddDialogProps) {
  const roles = useRoles(org);
  const form = useForm({
    mode: 'controlled',
    initialValues: {
      name: '',
      roleId: '',
      description: '',
      contactEmail: '',
      rateLimits: [] as { name: string; limit: number; windowSeconds: number }[],
    },
    validateInputOnChange: ['name'],
    validate: { name: serviceAccountNameError },
  });
  const create = useOrgMutation(
    org,
    (v: typeof form.values) =>
      call(
        lk.POST('/api/v1/orgs/{org}/service-accounts', {
          params: { path: { org } },
          body: {
            name: v.name,
            ...(v.roleId ? { roleId: v.roleId } : {}),
            ...(v.description ? { description: v.description } : {}),
            ...(v.contactEmail.trim() ? { contactEmail: v.contactEmail.trim() } : {}),
            ...(v.rateLimits.length > 0 ? { rateLimits: v.rateLimits } : {}),
          },
        }),
      ),
    (_answer: unknown, v: typeof form.values) => `Service account ${v.name} added.`,
  );
  const close = () => {
    form.reset();
    create.reset();
    onClose();
  };
  return (
    <Dialog opened={opened} onClose={close} title="Add new service account">
      <form
        onSubmit={form.onSubmit(async (v) => {
          await create.mutateAsync(v).then(
            () => {
              close();
              onCreated?.();
            },
            () => undefined,
          );
        })}
      >
        <Stack>
          <ErrorAlert error={create.error} />
          <TextInput
            label="Name"
            description={SERVICE_ACCOUNT_NAME_HINT}
            required
            data-autofocus
            {...form.getInputProps('name')}
          />
          <Select
            label="Role"
            placeholder="Viewer (default)"
            data={(roles.data?.items ?? []).map((r) => ({ value: r.id, label: r.name }))}
            clearable
            {...form.getInputProps('roleId')}
          />
          <Textarea label="Description" autosize minRows={2} {...form.getInputProps('description')} />
          <TextInput
            label="Contact e-mail"
            description={CONTACT_EMAIL_HINT}
            type="email"
            placeholder="team@example.com"
            {...form.getInputProps('contactEmail')}
          />
          <RateLimitFields
            label="Rate limits for its tokens"
            description="Each of its tokens without rate limits of its own gets these windows (counted per token). None: unlimited."
            rateLimits={form.values.rateLimits}
            onRateLimits={(v) => form.setFieldValue('rateLimits', v)}
          />
          <DialogActions onClose={close}>
            <Button type="submit" loading={create.isPending}>
              Create
            </Button>
          </DialogActions>
        </Stack>
      </form>
    </Dialog>
  );
}
