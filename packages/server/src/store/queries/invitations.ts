import type { Kysely, Selectable } from 'kysely';
import type { Database, InvitationsTable } from '../schema.js';

export type InvitationRecord = Selectable<InvitationsTable>;
export type InvitationView = InvitationRecord & { roleName: string };

export function invitationQueries(db: Kysely<Database>) {
  const view = () =>
    db
      .selectFrom('invitations')
      .innerJoin('roles', 'roles.id', 'invitations.roleId')
      .selectAll('invitations')
      .select('roles.name as roleName');
  return {
    async insert(inv: InvitationRecord): Promise<void> {
      await db.insertInto('invitations').values(inv).execute();
    },
    async findInOrg(orgId: string, id: string): Promise<InvitationView | undefined> {
      return view()
        .where('invitations.orgId', '=', orgId)
        .where('invitations.id', '=', id)
        .executeTakeFirst();
    },
    async findByTokenHash(hash: string): Promise<InvitationView | undefined> {
      return view().where('invitations.tokenHash', '=', hash).executeTakeFirst();
    },
    /** Invitations not yet accepted or revoked (expired ones included, so the admin sees them lapse). */
    async listPending(orgId: string): Promise<InvitationView[]> {
      return view()
        .where('invitations.orgId', '=', orgId)
        .where('invitations.acceptedAt', 'is', null)
        .where('invitations.revokedAt', 'is', null)
        .orderBy('invitations.createdAt', 'desc')
        .execute();
    },
    /** Marks accepted only if still open: returns false when someone else used it first. */
    async markAccepted(id: string, userId: string, at: string): Promise<boolean> {
      const r = await db
        .updateTable('invitations')
        .set({ acceptedAt: at, acceptedBy: userId })
        .where('id', '=', id)
        .where('acceptedAt', 'is', null)
        .where('revokedAt', 'is', null)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
    async revoke(id: string, at: string): Promise<void> {
      await db.updateTable('invitations').set({ revokedAt: at }).where('id', '=', id).execute();
    },
  };
}
