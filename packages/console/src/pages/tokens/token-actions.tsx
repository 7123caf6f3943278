import { Text } from '@mantine/core';
import { useState } from 'react';
import { call, lk } from '../../api/client';
import { useOrgMutation } from '../../api/queries';
import { useAllows } from '../../components/permission-gate';
import type { Token } from '../../api/types';
import { ConfirmDialog } from '../../components/confirm-dialog';
import type { RowAction } from '../../components/row-actions';
import { ErrorAlert } from '../../components/states';
import { EditTokenModal } from './edit-token-modal';
import { ReassignDialog, type MatchingSelection } from './reassign-dialog';
import { ReportLeakDialog } from './report-leak-dialog';
import { RevealDialog, type Revealed } from './reveal-dialog';
import { RotateDialog } from './rotate-dialog';

export type TokenDialog =
  | { kind: 'reassign'; tokens: Token[]; matching?: MatchingSelection }
  | { kind: 'edit' | 'rotate' | 'suspend' | 'report-leak' | 'revoke'; token: Token };

/**
 * What can be done to a token, and the dialogs that do it: one set for the token list's row menu and the
 * token page. A revoked token offers nothing (revocation is final); the server still checks tokens:edit
 * and the caller's own permissions, and its refusal is shown where the action was taken.
 */
export function useTokenActions(org: string, { afterReassign }: { afterReassign?: () => void } = {}) {
  const [dialog, setDialog] = useState<TokenDialog | null>(null);
  // Every action changes the token: a role without tokens:edit gets none (the page says why).
  const canEdit = useAllows(org)('tokens:edit');
  const [revealed, setRevealed] = useState<Revealed | null>(null);
  const close = () => setDialog(null);
  const onToken = (t: Token) => ({ params: { path: { org, id: t.id } } });
  // Suspend and resume take no body: {} is what the API accepts (anything else is refused).
  const action = (t: Token) => ({ ...onToken(t), body: {} });
  // Resuming needs no confirmation; its refusal is shown in `ui` (the others' in their dialogs).
  const resume = useOrgMutation(
    org,
    (t: Token) => call(lk.POST('/api/v1/orgs/{org}/tokens/{id}/resume', action(t))),
    (_answer: unknown, t: Token) => `${t.name} resumed.`,
  );
  const reveal = (r: Revealed) => {
    close();
    setRevealed(r);
  };

  const actions = (t: Token): RowAction[] => (canEdit ? editActions(t) : []);
  const editActions = (t: Token): RowAction[] => {
    const revoked = t.status === 'revoked';
    const open = (kind: Exclude<TokenDialog['kind'], 'reassign'>) => () => setDialog({ kind, token: t });
    // A public value is not a secret (it sits in web pages): whoever may edit tokens sees it again here.
    const publicValue = t.type === 'public' && t.value ? t.value : null;
    return [
      ...(publicValue
        ? [
            {
              key: 'show-value',
              title: 'Show value',
              onClick: () =>
                setRevealed({
                  value: publicValue,
                  type: 'public',
                  title: `Public token ${t.name}`,
                  again: true,
                }),
            },
          ]
        : []),
      // An expired token stays expired: the server refuses to rotate it (token_expired).
      {
        key: 'rotate',
        title: 'Rotate token',
        onClick: open('rotate'),
        disabled: revoked || t.status === 'expired',
      },
      {
        key: 'reassign',
        title: 'Reassign Token',
        onClick: () => setDialog({ kind: 'reassign', tokens: [t] }),
        disabled: revoked,
      },
      { key: 'edit', title: 'Edit', onClick: open('edit'), disabled: revoked },
      t.suspendedAt
        ? { key: 'resume', title: 'Resume', onClick: () => resume.mutate(t), disabled: revoked }
        : { key: 'suspend', title: 'Suspend', onClick: open('suspend'), disabled: revoked },
      {
        key: 'report-leak',
        title: 'Report leaked',
        color: 'red',
        onClick: open('report-leak'),
        disabled: revoked,
      },
      { key: 'revoke', title: 'Revoke', color: 'red', onClick: open('revoke'), disabled: revoked },
    ];
  };

  const ui = (
    <>
      <ErrorAlert error={resume.error} mb="sm" />
      {dialog?.kind === 'reassign' && (
        <ReassignDialog
          org={org}
          tokens={dialog.tokens}
          matching={dialog.matching}
          onClose={() => {
            close();
            afterReassign?.();
          }}
        />
      )}
      {dialog?.kind === 'edit' && <EditTokenModal org={org} token={dialog.token} onClose={close} />}
      {dialog?.kind === 'rotate' && (
        <RotateDialog org={org} token={dialog.token} onClose={close} onRotated={reveal} />
      )}
      {dialog?.kind === 'report-leak' && (
        <ReportLeakDialog org={org} token={dialog.token} onClose={close} onReplaced={reveal} />
      )}
      {dialog?.kind === 'suspend' && (
        <ConfirmDialog
          org={org}
          title={`Suspend ${dialog.token.name}?`}
          done={`${dialog.token.name} suspended.`}
          confirmLabel="Suspend"
          color="orange"
          run={() => call(lk.POST('/api/v1/orgs/{org}/tokens/{id}/suspend', action(dialog.token)))}
          onClose={close}
        >
          <Text>
            Every request with it is refused (token_suspended) until you resume it. Nothing else changes: its
            value, settings and history stay as they are.
          </Text>
        </ConfirmDialog>
      )}
      {dialog?.kind === 'revoke' && (
        <ConfirmDialog
          org={org}
          title={`Revoke ${dialog.token.name}?`}
          done={`${dialog.token.name} revoked.`}
          confirmLabel="Revoke"
          run={() => call(lk.DELETE('/api/v1/orgs/{org}/tokens/{id}', onToken(dialog.token)))}
          onClose={close}
        >
          <Text>It stops working at once, everywhere. This cannot be undone.</Text>
        </ConfirmDialog>
      )}
      {revealed && <RevealDialog {...revealed} onClose={() => setRevealed(null)} />}
    </>
  );

  return { actions, canEdit, open: setDialog, reveal: setRevealed, ui };
}
