import type { Kysely, Selectable } from 'kysely';
import type { Database, TokenPreviousSecretsTable } from '../schema.js';

export type PreviousSecretRow = Selectable<TokenPreviousSecretsTable>;

/** A token's secrets before its rotations (docs/lifecycle.md): at most one not retired. */
export function tokenSecretQueries(db: Kysely<Database>) {
  return {
    async insert(row: PreviousSecretRow): Promise<void> {
      await db.insertInto('tokenPreviousSecrets').values(row).execute();
    },
    /** Retires every secret of the token still verifying; answers their hashes (to drop from caches). */
    async retireAllOf(tokenId: string, at: string): Promise<string[]> {
      const rows = await db
        .updateTable('tokenPreviousSecrets')
        .set({ retiredAt: at })
        .where('tokenId', '=', tokenId)
        .where('retiredAt', 'is', null)
        .returning('hash')
        .execute();
      return rows.map((r) => r.hash);
    },
    /** Retires one secret that waits for the new value's first use; false when it had retired already. */
    async retireOnFirstUse(hash: string, at: string): Promise<boolean> {
      const r = await db
        .updateTable('tokenPreviousSecrets')
        .set({ retiredAt: at })
        .where('hash', '=', hash)
        .where('retiredAt', 'is', null)
        .where('retireOnFirstUse', '=', 1)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },
    /** The secret of each token that still verifies (not retired; its time bound may have passed). */
    async pendingOf(tokenIds: readonly string[]): Promise<Map<string, PreviousSecretRow>> {
      if (tokenIds.length === 0) return new Map();
      const rows = await db
        .selectFrom('tokenPreviousSecrets')
        .selectAll()
        .where('tokenId', 'in', tokenIds)
        .where('retiredAt', 'is', null)
        .execute();
      return new Map(rows.map((r) => [r.tokenId, r]));
    },
    async findByHash(hash: string): Promise<PreviousSecretRow | undefined> {
      return db.selectFrom('tokenPreviousSecrets').selectAll().where('hash', '=', hash).executeTakeFirst();
    },
  };
}
