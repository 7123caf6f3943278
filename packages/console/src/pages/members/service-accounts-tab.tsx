import { Alert, Badge, Button, List, Stack, Table, Text, TextInput } from '@mantine/core';
import { useState } from 'react';
import { Dialog } from '../../components/dialog';
import { call, lk } from '../../api/client';
import { useOrgMutation, useServiceAccounts } from '../../api/queries';
import type { RequestBody } from '@latchkey/api-client';
import type { ServiceAccount } from '../../api/types';
import { AnchorLink } from '../../components/anchor-link';
import { RowMenuButton, useRowContextMenu, type RowAction } from '../../components/row-actions';
import { useAllows } from '../../components/permission-gate';
import { Empty, ErrorAlert, QueryFallback } from '../../components/states';
import { SERVICE_ACCOUNT_NAME_HINT, serviceAccountNameError } from '../../validation/forms';
import { useOwnedTokensRefusal } from './owned-tokens-refusal';
import { RoleSelectModal } from './role-select-modal';
import { DialogActions, SubmitButton } from '../../components/dialog-actions';
import { CONTACT_EMAIL_HINT } from './add-service-account-modal';
import { describeRateLimit, RateLimitFields } from '../tokens/limit-fields';

type AccountPatch = RequestBody<'/api/v1/orgs/{org}/service-accounts/{id}', 'patch'>;
/** One change to a service account (PATCH: only what is named changes). */
const patchAccount = (org: string, sa: ServiceAccount, body: AccountPatch) =>
  call(lk.PATCH('/api/v1/orgs/{org}/service-accounts/{id}', { params: { path: { org, id: sa.id } }, body }));

type Dialog = { kind: 'rename' | 'role' | 'limits' | 'contact' | 'delete'; sa: ServiceAccount } | null;

export function ServiceAccountsTab({ org, onAdd }: { org: string; onAdd?: () => void }) {
  const accounts = useServiceAccounts(org);
  const contextMenu = useRowContextMenu();
  const canEdit = useAllows(org)('service_accounts:edit');
  const [dialog, setDialog] = useState<Dialog>(null);
  const toggle = useOrgMutation(
    org,
    (sa: ServiceAccount) => patchAccount(org, sa, { disabled: sa.status === 'active' }),
    (_answer: unknown, sa: ServiceAccount) =>
      `${sa.name} ${sa.status === 'active' ? 'disabled' : 'enabled'}.`,
  );
  if (!accounts.isSuccess) return <QueryFallback query={accounts} />;
  if (accounts.data.length === 0)
    return (
      <Empty action={onAdd && <Button onClick={onAdd}>Add new service account</Button>}>
        No service accounts yet. Add one to own your tokens.
      </Empty>
    );

  const actions = (sa: ServiceAccount): RowAction[] => (canEdit ? editActions(sa) : []);
  const editActions = (sa: ServiceAccount): RowAction[] => [
    { key: 'rename', title: 'Rename', onClick: () => setDialog({ kind: 'rename', sa }) },
    { key: 'role', title: 'Change role', onClick: () => setDialog({ kind: 'role', sa }) },
    { key: 'limits', title: 'Rate limits', onClick: () => setDialog({ kind: 'limits', sa }) },
    { key: 'contact', title: 'Contact e-mail', onClick: () => setDialog({ kind: 'contact', sa }) },
    { key: 'toggle', title: sa.status === 'active' ? 'Disable' : 'Enable', onClick: () => toggle.mutate(sa) },
    { key: 'delete', title: 'Delete', color: 'red', onClick: () => setDialog({ kind: 'delete', sa }) },
  ];
  return (
    <>
      <ErrorAlert error={toggle.error} mb="sm" />
      <Table.ScrollContainer minWidth={560}>
        <Table highlightOnHover aria-label="Service accounts">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Name</Table.Th>
              <Table.Th>Role</Table.Th>
              <Table.Th>Status</Table.Th>
              <Table.Th>Tokens</Table.Th>
              <Table.Th>Created</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {accounts.data.map((sa) => (
              <Table.Tr
                key={sa.id}
                data-testid={`sa-row-${sa.name}`}
                onContextMenu={contextMenu(actions(sa))}
              >
                <Table.Td>
                  <AnchorLink to="/orgs/$org/service-accounts/$id" params={{ org, id: sa.id }} fw={500}>
                    {sa.name}
                  </AnchorLink>
                  {sa.description && (
                    <Text size="xs" c="dimmed">
                      {sa.description}
                    </Text>
                  )}
                  {sa.contactEmail && (
                    <Text size="xs" c="dimmed">
                      contact: {sa.contactEmail}
                    </Text>
                  )}
                </Table.Td>
                <Table.Td>
                  {sa.roleName}
                  {sa.rateLimits.length > 0 && (
                    <Text size="xs" c="dimmed">
                      tokens limited: {sa.rateLimits.map(describeRateLimit).join(' · ')}
                    </Text>
                  )}
                </Table.Td>
                <Table.Td>
                  <Badge color={sa.status === 'active' ? 'green' : 'gray'}>{sa.status}</Badge>
                </Table.Td>
                <Table.Td>{sa.activeTokens}</Table.Td>
                <Table.Td>{new Date(sa.createdAt).toLocaleDateString()}</Table.Td>
                <Table.Td>
                  <RowMenuButton label={sa.name} actions={actions(sa)} />
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {dialog?.kind === 'rename' && <RenameModal org={org} sa={dialog.sa} onClose={() => setDialog(null)} />}
      {dialog?.kind === 'role' && <RoleModal org={org} sa={dialog.sa} onClose={() => setDialog(null)} />}
      {dialog?.kind === 'limits' && <LimitsModal org={org} sa={dialog.sa} onClose={() => setDialog(null)} />}
      {dialog?.kind === 'contact' && (
        <ContactModal org={org} sa={dialog.sa} onClose={() => setDialog(null)} />
      )}
      {dialog?.kind === 'delete' && <DeleteModal org={org} sa={dialog.sa} onClose={() => setDialog(null)} />}
    </>
  );
}

function RenameModal({ org, sa, onClose }: { org: string; sa: ServiceAccount; onClose: () => void }) {
  const [name, setName] = useState(sa.name);
  const rename = useOrgMutation(
    org,
    (n: string) => patchAccount(org, sa, { name: n }),
    (_answer: unknown, n: string) => `Renamed to ${n}.`,
  );
  const problem = serviceAccountNameError(name);
  return (
    <Dialog opened onClose={onClose} title={`Rename ${sa.name}`}>
      <Stack>
        <ErrorAlert error={rename.error} />
        <TextInput
          label="Name"
          description={SERVICE_ACCOUNT_NAME_HINT}
          value={name}
          onChange={(e) => setName(e.currentTarget.value)}
          error={problem}
        />
        <DialogActions onClose={onClose}>
          <Button
            disabled={problem !== null}
            loading={rename.isPending}
            onClick={() => void rename.mutateAsync(name).then(onClose, () => undefined)}
          >
            Rename
          </Button>
        </DialogActions>
      </Stack>
    </Dialog>
  );
}

/** The windows its tokens without their own inherit (per token); the change applies to them at once. */
function LimitsModal({ org, sa, onClose }: { org: string; sa: ServiceAccount; onClose: () => void }) {
  const [rateLimits, setRateLimits] = useState(sa.rateLimits);
  const save = useOrgMutation(
    org,
    () => patchAccount(org, sa, { rateLimits }),
    `Rate limits of ${sa.name}'s tokens saved.`,
  );
  return (
    <Dialog opened onClose={onClose} title={`Rate limits of ${sa.name}'s tokens`}>
      <Stack>
        <ErrorAlert error={save.error} />
        <RateLimitFields
          label="Rate limits for its tokens"
          description="Each of its tokens without rate limits of its own gets these windows (counted per token), at once. None: unlimited."
          rateLimits={rateLimits}
          onRateLimits={setRateLimits}
        />
        <DialogActions onClose={onClose}>
          <SubmitButton mutation={save} onDone={onClose}>
            Save
          </SubmitButton>
        </DialogActions>
      </Stack>
    </Dialog>
  );
}

/** Where its tokens' expiry notices go besides the Owners; empty clears it. */
function ContactModal({ org, sa, onClose }: { org: string; sa: ServiceAccount; onClose: () => void }) {
  const [email, setEmail] = useState(sa.contactEmail ?? '');
  const save = useOrgMutation(
    org,
    () => patchAccount(org, sa, { contactEmail: email.trim() === '' ? null : email.trim() }),
    `Contact e-mail of ${sa.name} saved.`,
  );
  return (
    <Dialog opened onClose={onClose} title={`Contact e-mail of ${sa.name}`}>
      <Stack>
        <ErrorAlert error={save.error} />
        <TextInput
          label="Contact e-mail"
          description={CONTACT_EMAIL_HINT}
          type="email"
          placeholder="team@example.com"
          value={email}
          onChange={(e) => setEmail(e.currentTarget.value)}
          data-autofocus
        />
        <DialogActions onClose={onClose}>
          <SubmitButton mutation={save} onDone={onClose}>
            Save
          </SubmitButton>
        </DialogActions>
      </Stack>
    </Dialog>
  );
}

function RoleModal({ org, sa, onClose }: { org: string; sa: ServiceAccount; onClose: () => void }) {
  return (
    <RoleSelectModal
      org={org}
      title={`Role of ${sa.name}`}
      roleId={sa.roleId}
      note={
        <Text size="sm" c="dimmed">
          Its tokens gain or lose permissions with the role, at once.
        </Text>
      }
      save={(roleId) => patchAccount(org, sa, { roleId })}
      onClose={onClose}
    />
  );
}

/** Deleting is refused while the account owns active tokens; the refusal lists them and offers to revoke them too. */
function DeleteModal({ org, sa, onClose }: { org: string; sa: ServiceAccount; onClose: () => void }) {
  const refusal = useOwnedTokensRefusal('service_account_has_tokens');
  const del = useOrgMutation(
    org,
    (revoke: boolean) =>
      call(
        lk.DELETE('/api/v1/orgs/{org}/service-accounts/{id}', {
          params: { path: { org, id: sa.id }, query: revoke ? { revokeTokens: true } : {} },
        }),
      ),
    `${sa.name} deleted.`,
  );
  const attempt = (revoke: boolean) => refusal.attempt(() => del.mutateAsync(revoke), onClose);
  const owned = refusal.owned;
  return (
    <Dialog opened onClose={onClose} title={`Delete ${sa.name}`}>
      <Stack>
        <ErrorAlert error={refusal.otherFailure(del.error)} />
        {owned ? (
          <>
            <Alert color="orange" title="This account still owns active tokens" role="alert">
              Deleting never leaves a token without an owner. Reassign these tokens under Tokens first, or
              revoke them together with the account.
            </Alert>
            <List size="sm">
              {owned.map((t) => (
                <List.Item key={t.id}>
                  {t.name} ({t.hint})
                </List.Item>
              ))}
            </List>
            <DialogActions onClose={onClose}>
              <Button color="red" loading={del.isPending} onClick={() => void attempt(true)}>
                Revoke tokens and delete
              </Button>
            </DialogActions>
          </>
        ) : (
          <>
            <Text>Delete the service account {sa.name}?</Text>
            <DialogActions onClose={onClose}>
              <Button color="red" loading={del.isPending} onClick={() => void attempt(false)}>
                Delete
              </Button>
            </DialogActions>
          </>
        )}
      </Stack>
    </Dialog>
  );
}
