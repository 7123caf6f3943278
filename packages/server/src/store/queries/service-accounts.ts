import type { Kysely, Selectable } from 'kysely';
import type { Database, ServiceAccountsTable } from '../schema.js';
import type { DialectName } from '../dialect.js';

export type ServiceAccountRecord = Selectable<ServiceAccountsTable>;
export interface ServiceAccountView extends ServiceAccountRecord {
  roleName: string;
  activeTokens: number;
}

export function serviceAccountQueries(db: Kysely<Database>, dialect: DialectName) {
  const view = () =>
    db
      .selectFrom('serviceAccounts')
      .innerJoin('roles', 'roles.id', 'serviceAccounts.roleId')
      .selectAll('serviceAccounts')
      .select(['roles.name as roleName'])
      .select((eb) =>
        eb
          .selectFrom('tokens')
          .select((e) => e.fn.countAll<number>().as('n'))
          .whereRef('tokens.ownerServiceAccountId', '=', 'serviceAccounts.id')
          .where('tokens.revokedAt', 'is', null)
          .as('activeTokens'),
      )
      .where('serviceAccounts.deletedAt', 'is', null);
  const normalise = <T extends { activeTokens: number | null }>(r: T) => ({
    ...r,
    activeTokens: Number(r.activeTokens ?? 0),
  });

  return {
    /**
     * Locks the account's row for the rest of the transaction (PostgreSQL; SQLite runs one write
     * transaction at a time anyway), so "delete unless it owns tokens" and "give it a token" cannot
     * interleave and leave a token owned by a deleted account.
     */
    async lockForUpdate(id: string): Promise<void> {
      if (dialect === 'postgres')
        await db.selectFrom('serviceAccounts').select('id').where('id', '=', id).forUpdate().execute();
    },
    async insert(sa: ServiceAccountRecord): Promise<void> {
      await db.insertInto('serviceAccounts').values(sa).execute();
    },
    async listByOrg(orgId: string): Promise<ServiceAccountView[]> {
      const rows = await view()
        .where('serviceAccounts.orgId', '=', orgId)
        .orderBy('serviceAccounts.createdAt')
        .orderBy('serviceAccounts.id')
        .execute();
      return rows.map(normalise);
    },
    /** A live (not deleted) account of this org, by id or by name (case-insensitive). */
    async findInOrg(orgId: string, idOrName: string): Promise<ServiceAccountView | undefined> {
      const row = await view()
        .where('serviceAccounts.orgId', '=', orgId)
        .where((eb) =>
          eb.or([
            eb('serviceAccounts.id', '=', idOrName),
            eb('serviceAccounts.nameKey', '=', idOrName.toLowerCase()),
          ]),
        )
        .executeTakeFirst();
      return row && normalise(row);
    },
    async update(
      id: string,
      patch: Partial<
        Pick<
          ServiceAccountRecord,
          | 'name'
          | 'nameKey'
          | 'description'
          | 'roleId'
          | 'rateLimits'
          | 'contactEmail'
          | 'disabledAt'
          | 'deletedAt'
          | 'updatedAt'
        >
      >,
    ): Promise<void> {
      await db.updateTable('serviceAccounts').set(patch).where('id', '=', id).execute();
    },
  };
}
