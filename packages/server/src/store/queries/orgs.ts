import type { Kysely, Selectable } from 'kysely';
import type { DialectName } from '../dialect.js';
import type { Database, OrgsTable } from '../schema.js';

export type OrgRecord = Selectable<OrgsTable>;

export function orgQueries(db: Kysely<Database>, dialect: DialectName) {
  return {
    /**
     * Serialises changes to the org's membership for the rest of the transaction (PostgreSQL; SQLite runs
     * one transaction at a time anyway). Who-is-Owner checks take it before counting, so two of them can
     * never both count the other Owner and leave none. `FOR NO KEY UPDATE`: inserts that merely reference
     * the org (tokens, audit, …) take a KEY SHARE lock, which this does not block.
     */
    async lockForUpdate(id: string): Promise<void> {
      if (dialect !== 'postgres') return;
      await db.selectFrom('orgs').select('id').where('id', '=', id).forNoKeyUpdate().execute();
    },
    async insert(org: OrgRecord): Promise<void> {
      await db.insertInto('orgs').values(org).execute();
    },
    /** `undefined` when no org has this id or slug. */
    async findByIdOrSlug(idOrSlug: string): Promise<OrgRecord | undefined> {
      return db
        .selectFrom('orgs')
        .selectAll()
        .where((eb) => eb.or([eb('id', '=', idOrSlug), eb('slug', '=', idOrSlug.toLowerCase())]))
        .executeTakeFirst();
    },
    async findById(id: string): Promise<OrgRecord | undefined> {
      return db.selectFrom('orgs').selectAll().where('id', '=', id).executeTakeFirst();
    },
    async listForUser(userId: string): Promise<(OrgRecord & { roleId: string; roleName: string })[]> {
      return db
        .selectFrom('orgs')
        .innerJoin('members', 'members.orgId', 'orgs.id')
        .innerJoin('roles', 'roles.id', 'members.roleId')
        .selectAll('orgs')
        .select(['members.roleId as roleId', 'roles.name as roleName'])
        .where('members.userId', '=', userId)
        .orderBy('orgs.createdAt')
        .execute();
    },
    async update(id: string, patch: Partial<Pick<OrgRecord, 'name' | 'maxTokenLifetimeDays' | 'updatedAt'>>) {
      await db.updateTable('orgs').set(patch).where('id', '=', id).execute();
    },
    async count(): Promise<number> {
      const row = await db
        .selectFrom('orgs')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },
  };
}
