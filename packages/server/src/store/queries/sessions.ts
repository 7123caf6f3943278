import type { Kysely, Selectable } from 'kysely';
import type { Database, SessionsTable } from '../schema.js';

export type SessionRecord = Selectable<SessionsTable>;

/** Sessions are stored by the SHA-256 of their cookie value, never the value itself. */
export function sessionQueries(db: Kysely<Database>) {
  return {
    async insert(s: SessionRecord): Promise<void> {
      await db.insertInto('sessions').values(s).execute();
    },
    async find(idHash: string): Promise<SessionRecord | undefined> {
      return db.selectFrom('sessions').selectAll().where('idHash', '=', idHash).executeTakeFirst();
    },
    async touch(idHash: string, lastSeenAt: string, expiresAt: string): Promise<void> {
      await db.updateTable('sessions').set({ lastSeenAt, expiresAt }).where('idHash', '=', idHash).execute();
    },
    async delete(idHash: string): Promise<void> {
      await db.deleteFrom('sessions').where('idHash', '=', idHash).execute();
    },
    async deleteForUser(userId: string): Promise<void> {
      await db.deleteFrom('sessions').where('userId', '=', userId).execute();
    },
    async deleteExpired(now: string): Promise<void> {
      await db.deleteFrom('sessions').where('expiresAt', '<', now).execute();
    },
  };
}
