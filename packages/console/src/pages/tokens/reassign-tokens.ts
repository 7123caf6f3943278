import { call, lk } from '../../api/client';

/**
 * Moves tokens to a service account one request at a time, in order, stopping at the first refusal (the
 * ones before it stay moved). Reassign Token and removing a member who still owns tokens both do this.
 */
export async function reassignTokens(org: string, tokens: { id: string }[], serviceAccountId: string) {
  for (const t of tokens)
    await call(
      lk.POST('/api/v1/orgs/{org}/tokens/{id}/reassign', {
        params: { path: { org, id: t.id } },
        body: { serviceAccountId },
      }),
    );
}
