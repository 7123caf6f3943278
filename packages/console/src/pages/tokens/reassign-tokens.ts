import { expandPermissions } from '@latchkey/protocol';
import { call, lk } from '../../api/client';
import type { BulkBody, Role, ServiceAccount, Token } from '../../api/types';

/**
 * Moves tokens to a service account in one request (POST /orgs/{org}/tokens/bulk): one transaction, so
 * either every token moves or none does — closing the tab halfway cannot leave some behind. Each keeps at
 * most what it can do now ('keep').
 */
export async function reassignTokens(
  org: string,
  tokens: { id: string }[] | { matching: BulkMatching; count: number },
  serviceAccountId: string,
) {
  await call(
    lk.POST('/api/v1/orgs/{org}/tokens/bulk', {
      params: { path: { org } },
      body:
        'matching' in tokens
          ? { action: 'reassign', matching: tokens.matching, expectedCount: tokens.count, serviceAccountId }
          : { action: 'reassign', ids: tokens.map((t) => t.id), serviceAccountId },
    }),
  );
}

/** "All N matching": the token list's filters, resolved by the server inside the change's transaction. */
export type BulkMatching = NonNullable<BulkBody['matching']>;

/** What a token would no longer be able to do on the target account: the server's 'keep' rule, previewed. */
export interface PermissionLoss {
  token: Pick<Token, 'id' | 'name'>;
  lost: string[];
}

/**
 * With 'keep', a moved token may do what it can do now and what the new owner's role grants, nothing
 * more: the permissions outside the role are lost. Lists the tokens that lose any, for the dialog to say so
 * before anything changes.
 */
export function permissionLosses(
  tokens: Pick<Token, 'id' | 'name' | 'effectivePermissions'>[],
  account: Pick<ServiceAccount, 'roleId'> | undefined,
  roles: Pick<Role, 'id' | 'permissions'>[] | undefined,
): PermissionLoss[] | null {
  const role = account && roles?.find((r) => r.id === account.roleId);
  if (!role) return null;
  const granted = new Set(expandPermissions(role.permissions));
  return tokens
    .map((t) => ({
      token: { id: t.id, name: t.name },
      lost: t.effectivePermissions.filter((p) => !granted.has(p)),
    }))
    .filter((l) => l.lost.length > 0);
}
