import { sql, type Kysely, type Selectable } from 'kysely';
import type { DialectName } from '../dialect.js';
import type { Database, RolesTable } from '../schema.js';

export type RoleRecord = Omit<Selectable<RolesTable>, 'permissions'> & { permissions: string[] };

function fromRow(row: Selectable<RolesTable>): RoleRecord {
  return { ...row, permissions: JSON.parse(row.permissions) as string[] };
}

/** What still holds a role: how many, and the first few ids of each (for the role_in_use answer). */
export interface RoleUsage {
  members: { count: number; userIds: string[] };
  serviceAccounts: { count: number; ids: string[] };
  /** Pending invitations only: accepted, revoked and expired ones are history. */
  invitations: { count: number; ids: string[] };
}

const SAMPLE = 5;

export function roleQueries(db: Kysely<Database>, dialect: DialectName) {
  return {
    /**
     * Row lock for the rest of the transaction (PostgreSQL; SQLite runs one transaction at a time):
     * `update` to delete the role, `share` to hand it out — so a role is never given to someone while
     * it is being deleted, nor deleted while someone is being given it.
     */
    async lock(id: string, mode: 'share' | 'update'): Promise<void> {
      if (dialect !== 'postgres') return;
      const q = db.selectFrom('roles').select('id').where('id', '=', id);
      await (mode === 'update' ? q.forUpdate() : q.forShare()).execute();
    },
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
        .where('deletedAt', 'is', null)
        .orderBy(sql`case builtin when 'Owner' then 0 when 'Admin' then 1 when 'Viewer' then 2 else 3 end`)
        .orderBy('createdAt')
        .orderBy('name')
        .execute();
      return rows.map(fromRow);
    },
    /** `undefined` when the role does not exist *in this org* or was deleted (other orgs' ids look absent). */
    async findInOrg(orgId: string, id: string): Promise<RoleRecord | undefined> {
      const row = await db
        .selectFrom('roles')
        .selectAll()
        .where('orgId', '=', orgId)
        .where('id', '=', id)
        .where('deletedAt', 'is', null)
        .executeTakeFirst();
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
    async update(
      id: string,
      patch: Partial<Pick<RoleRecord, 'name' | 'nameKey' | 'description' | 'permissions' | 'updatedAt'>>,
    ) {
      const { permissions, ...rest } = patch;
      await db
        .updateTable('roles')
        .set({ ...rest, ...(permissions ? { permissions: JSON.stringify(permissions) } : {}) })
        .where('id', '=', id)
        .execute();
    },
    async updateBuiltin(builtin: string, permissions: string[]): Promise<void> {
      await db
        .updateTable('roles')
        .set({ permissions: JSON.stringify(permissions) })
        .where('builtin', '=', builtin)
        .execute();
    },
    /**
     * Deletes a custom role, keeping its row as a tombstone for the history that names it (accepted,
     * revoked or expired invitations, deleted service accounts, audit entries). The name is released:
     * a new role may take it.
     */
    async tombstone(id: string, at: string): Promise<void> {
      await db
        .updateTable('roles')
        .set({ deletedAt: at, updatedAt: at, nameKey: `deleted:${id}` })
        .where('id', '=', id)
        .execute();
    },
    /**
     * Who still holds the role. The counts come from one statement — one snapshot — so an invitation
     * accepted meanwhile is counted once, as a pending invitation or as a member, never as neither.
     */
    async usage(id: string, now: string): Promise<RoleUsage> {
      const pendingInvitations = () =>
        db
          .selectFrom('invitations')
          .where('roleId', '=', id)
          .where('acceptedAt', 'is', null)
          .where('revokedAt', 'is', null)
          .where('expiresAt', '>', now);
      const liveServiceAccounts = () =>
        db.selectFrom('serviceAccounts').where('roleId', '=', id).where('deletedAt', 'is', null);
      const counts = await db
        .selectNoFrom((eb) => [
          eb
            .selectFrom('members')
            .select((e) => e.fn.countAll<number>().as('n'))
            .where('roleId', '=', id)
            .as('members'),
          liveServiceAccounts()
            .select((e) => e.fn.countAll<number>().as('n'))
            .as('serviceAccounts'),
          pendingInvitations()
            .select((e) => e.fn.countAll<number>().as('n'))
            .as('invitations'),
        ])
        .executeTakeFirstOrThrow();
      const members = await db
        .selectFrom('members')
        .select('userId')
        .where('roleId', '=', id)
        .orderBy('userId')
        .limit(SAMPLE)
        .execute();
      const accounts = await liveServiceAccounts().select('id').orderBy('id').limit(SAMPLE).execute();
      const invitations = await pendingInvitations().select('id').orderBy('id').limit(SAMPLE).execute();
      return {
        members: { count: Number(counts.members), userIds: members.map((m) => m.userId) },
        serviceAccounts: { count: Number(counts.serviceAccounts), ids: accounts.map((a) => a.id) },
        invitations: { count: Number(counts.invitations), ids: invitations.map((i) => i.id) },
      };
    },
  };
}
