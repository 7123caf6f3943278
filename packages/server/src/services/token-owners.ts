import { AppError, notFound } from '../domain/errors.js';
import type { TokenRecord } from '../store/queries/tokens.js';
import type { Store } from '../store/store.js';
import type { OrgScope } from './context.js';

type Owner = Pick<TokenRecord, 'ownerServiceAccountId' | 'ownerUserId'>;

/** The role grants of one token's current owner ([] when the owner can no longer act). */
export async function ownerRoleOf(tx: Store, orgId: string, t: Owner): Promise<string[]> {
  const roleId = t.ownerServiceAccountId
    ? (await tx.serviceAccounts.findInOrg(orgId, t.ownerServiceAccountId))?.roleId
    : (await tx.members.find(orgId, t.ownerUserId ?? ''))?.roleId;
  return (roleId && (await tx.roles.findInOrg(orgId, roleId))?.permissions) || [];
}

/** The role grants of every possible owner in an org, looked up once, for a page of many tokens. */
export async function ownerRoles(tx: Store, orgId: string): Promise<(t: Owner) => string[]> {
  const roles = new Map((await tx.roles.listByOrg(orgId)).map((r) => [r.id, r.permissions]));
  const bySa = new Map(
    (await tx.serviceAccounts.listByOrg(orgId)).map((s) => [s.id, roles.get(s.roleId) ?? []]),
  );
  const byUser = new Map(
    (await tx.members.listByOrg(orgId)).map((m) => [m.userId, roles.get(m.roleId) ?? []]),
  );
  return (t) =>
    (t.ownerServiceAccountId ? bySa.get(t.ownerServiceAccountId) : byUser.get(t.ownerUserId ?? '')) ?? [];
}

/**
 * A live service account of this org that may own tokens, locked for the transaction, with its role's
 * grants; throws the rule-5/13 refusals.
 */
export async function tokenOwnerAccount(tx: Store, scope: OrgScope, serviceAccountId: string | undefined) {
  if (!serviceAccountId) {
    throw new AppError(
      'service_account_required',
      'A token must belong to a service account: choose one (serviceAccountId).',
    );
  }
  // Lock first, then read: a concurrent delete either finished (we see it deleted) or waits for us.
  const candidate = await tx.serviceAccounts.findInOrg(scope.org.id, serviceAccountId);
  if (candidate) await tx.serviceAccounts.lockForUpdate(candidate.id);
  const sa = candidate && (await tx.serviceAccounts.findInOrg(scope.org.id, candidate.id));
  if (!sa) {
    // A user id here is the "assign to a person" mistake the rules forbid: say so plainly.
    if (serviceAccountId.startsWith('usr_')) {
      throw new AppError(
        'service_account_required',
        'Tokens can only be assigned to a service account, never to a user.',
      );
    }
    throw notFound('Service account');
  }
  if (sa.disabledAt !== null)
    throw new AppError(
      'service_account_disabled',
      `Service account "${sa.name}" is disabled; enable it first.`,
    );
  const role = await tx.roles.findInOrg(scope.org.id, sa.roleId);
  return { sa, rolePermissions: role?.permissions ?? [] };
}
