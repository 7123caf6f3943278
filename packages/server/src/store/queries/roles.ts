import { sql, type Kysely, type Selectable } from 'kysely';
import type { Database, RolesTable } from '../schema.js';

export type RoleRecord = Omit<Selectable<RolesTable>, 'permissions'> & { permissions: string[] };

function fromRow(row: Selectable<RolesTable>): RoleRecord {
  return { ...row, permissions: JSON.parse(row.permissions) as string[] };
}

export function roleQueries(db: Kysely<Database>) {
  return {
    async insert(role: RoleRecord): Promise<void> {
      await db
        .insertInto('roles')
        .values({ ...role, permissions: JSON.stringify(role.permissions) })
        .execute();
    },
    async listByOrg(orgId: string): Promise<RoleRecord[]> {
      // Built-in roles first, in their fixed order (they are created in the same instant), then custom ones.
      const rows = await db
        .selectFrom('roles')
        .selectAll()
        .where('orgId', '=', orgId)
        .orderBy(sql`case builtin when 'Owner' then 0 when 'Admin' then 1 when 'Viewer' then 2 else 3 end`)
        .orderBy('createdAt')
        .orderBy('name')
        .execute();
      return rows.map(fromRow);
    },
    /** `undefined` when the role does not exist *in this org* (other orgs' ids look absent). */
    async findInOrg(orgId: string, id: string): Promise<RoleRecord | undefined> {
      const row = await db.selectFrom('roles').selectAll().where('orgId', '=', orgId).where('id', '=', id).executeTakeFirst();
      return row && fromRow(row);
    },
    async findBuiltin(orgId: string, builtin: string): Promise<RoleRecord | undefined> {
      const row = await db
        .selectFrom('roles')
        .selectAll()
        .where('orgId', '=', orgId)
        .where('builtin', '=', builtin)
        .executeTakeFirst();
      return row && fromRow(row);
    },
    async update(id: string, patch: Partial<Pick<RoleRecord, 'name' | 'nameKey' | 'description' | 'permissions' | 'updatedAt'>>) {
      const { permissions, ...rest } = patch;
      await db
        .updateTable('roles')
        .set({ ...rest, ...(permissions ? { permissions: JSON.stringify(permissions) } : {}) })
        .where('id', '=', id)
        .execute();
    },
    async updateBuiltin(builtin: string, permissions: string[]): Promise<void> {
      await db.updateTable('roles').set({ permissions: JSON.stringify(permissions) }).where('builtin', '=', builtin).execute();
    },
    async delete(id: string): Promise<void> {
      await db.deleteFrom('roles').where('id', '=', id).execute();
    },
    /** How many members and live service accounts hold the role. */
    async usage(id: string): Promise<{ members: number; serviceAccounts: number }> {
      const m = await db.selectFrom('members').select((eb) => eb.fn.countAll<number>().as('n')).where('roleId', '=', id).executeTakeFirstOrThrow();
      const s = await db
        .selectFrom('serviceAccounts')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('roleId', '=', id)
        .where('deletedAt', 'is', null)
        .executeTakeFirstOrThrow();
      return { members: Number(m.n), serviceAccounts: Number(s.n) };
    },
  };
}
