import type { Kysely, Selectable } from 'kysely';
import type { Database, MembersTable } from '../schema.js';
import type { DialectName } from '../dialect.js';

export type MemberRecord = Selectable<MembersTable>;
export interface MemberView extends MemberRecord {
  email: string;
  name: string;
  roleName: string;
  roleBuiltin: string | null;
  activeTokens: number;
}

export function memberQueries(db: Kysely<Database>, dialect: DialectName) {
  const view = () =>
    db
      .selectFrom('members')
      .innerJoin('users', 'users.id', 'members.userId')
      .innerJoin('roles', 'roles.id', 'members.roleId')
      .selectAll('members')
      .select(['users.email', 'users.name', 'roles.name as roleName', 'roles.builtin as roleBuiltin'])
      .select((eb) =>
        eb
          .selectFrom('tokens')
          .select((e) => e.fn.countAll<number>().as('n'))
          .whereRef('tokens.ownerUserId', '=', 'members.userId')
          .whereRef('tokens.orgId', '=', 'members.orgId')
          .where('tokens.revokedAt', 'is', null)
          .as('activeTokens'),
      );

  return {
    /** Locks the membership row for the transaction (see serviceAccounts.lockForUpdate). */
    async lockForUpdate(orgId: string, userId: string): Promise<void> {
      if (dialect === 'postgres')
        await db
          .selectFrom('members')
          .select('userId')
          .where('orgId', '=', orgId)
          .where('userId', '=', userId)
          .forUpdate()
          .execute();
    },
    async insert(member: MemberRecord): Promise<void> {
      await db.insertInto('members').values(member).execute();
    },
    async find(orgId: string, userId: string): Promise<MemberView | undefined> {
      const row = await view()
        .where('members.orgId', '=', orgId)
        .where('members.userId', '=', userId)
        .executeTakeFirst();
      return row && { ...row, activeTokens: Number(row.activeTokens ?? 0) };
    },
    async listByOrg(orgId: string): Promise<MemberView[]> {
      const rows = await view()
        .where('members.orgId', '=', orgId)
        .orderBy('members.createdAt')
        .orderBy('members.userId')
        .execute();
      return rows.map((r) => ({ ...r, activeTokens: Number(r.activeTokens ?? 0) }));
    },
    async setRole(orgId: string, userId: string, roleId: string, updatedAt: string): Promise<void> {
      await db
        .updateTable('members')
        .set({ roleId, updatedAt })
        .where('orgId', '=', orgId)
        .where('userId', '=', userId)
        .execute();
    },
    async delete(orgId: string, userId: string): Promise<void> {
      await db.deleteFrom('members').where('orgId', '=', orgId).where('userId', '=', userId).execute();
    },
    async countWithBuiltinRole(orgId: string, builtin: string): Promise<number> {
      const row = await db
        .selectFrom('members')
        .innerJoin('roles', 'roles.id', 'members.roleId')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('members.orgId', '=', orgId)
        .where('roles.builtin', '=', builtin)
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },
  };
}
