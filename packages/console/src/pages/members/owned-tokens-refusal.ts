import { useState } from 'react';
import { ApiError } from '../../api/client';
import type { TokenRef } from '../../api/types';

/** The refusals that name the active tokens standing in the way (in `details.tokens`). */
type OwnedTokensCode = 'member_owns_tokens' | 'service_account_has_tokens';

/**
 * Removing a member and deleting a service account are both refused while they still own active tokens,
 * and both dialogs then list those tokens and offer a way forward. This keeps the list once refused (a
 * later failure does not hide it) and tells the refusal apart from any other failure, shown as an error.
 */
export function useOwnedTokensRefusal(code: OwnedTokensCode) {
  const [owned, setOwned] = useState<TokenRef[] | null>(null);
  const isRefusal = (error: unknown): error is ApiError => error instanceof ApiError && error.code === code;
  return {
    /** The tokens the refusal named; `null` until refused. */
    owned,
    /** Runs the change: `onDone` once accepted, the token list on the refusal; other failures stay on `run`'s mutation. */
    attempt: async (run: () => Promise<unknown>, onDone: () => void) => {
      try {
        await run();
        onDone();
      } catch (e) {
        if (isRefusal(e)) setOwned((e.details as { tokens: TokenRef[] }).tokens);
      }
    },
    /** `error`, unless it is the refusal (which the token list answers); `null` without one. */
    otherFailure: (error: unknown) => (error && !isRefusal(error) ? error : null),
  };
}
