import { Select } from '@mantine/core';
import type { ReactNode } from 'react';
import { activeServiceAccountOptions, useServiceAccounts } from '../../api/queries';

const NONE_YET = 'No service account: add one under Members → Service Accounts';

/**
 * Picking the service account that tokens move to: only active ones are offered, since the server refuses
 * a disabled one. Every dialog that reassigns tokens asks for it here.
 */
export function ServiceAccountSelect({
  org,
  value,
  onChange,
  label = 'Service account',
  nothingFoundMessage = NONE_YET,
}: {
  org: string;
  value: string | null;
  onChange: (serviceAccountId: string | null) => void;
  label?: string;
  /** What the open list says when there is no active service account; `null` says nothing. */
  nothingFoundMessage?: ReactNode;
}) {
  const accounts = useServiceAccounts(org);
  return (
    <Select
      label={label}
      placeholder="Choose a service account"
      data={activeServiceAccountOptions(accounts.data)}
      value={value}
      onChange={onChange}
      nothingFoundMessage={nothingFoundMessage ?? undefined}
    />
  );
}
