import type { Kysely, Selectable } from 'kysely';
import type { Database, UsersTable } from '../schema.js';

export type UserRecord = Selectable<UsersTable>;

export function userQueries(db: Kysely<Database>) {
  return {
    async insert(user: UserRecord): Promise<void> {
      await db.insertInto('users').values(user).execute();
    },
    async findById(id: string): Promise<UserRecord | undefined> {
      return db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
    },
    /** Emails are stored lower-cased; look-ups are therefore case-insensitive. */
    async findByEmail(email: string): Promise<UserRecord | undefined> {
      return db.selectFrom('users').selectAll().where('email', '=', email.toLowerCase()).executeTakeFirst();
    },
    async setPasswordHash(id: string, passwordHash: string, updatedAt: string): Promise<void> {
      await db.updateTable('users').set({ passwordHash, updatedAt }).where('id', '=', id).execute();
    },
    /** Sets the hash only if it is still `expected` (compare-and-set); false when it changed meanwhile. */
    async replacePasswordHash(
      id: string,
      expected: string,
      passwordHash: string,
      updatedAt: string,
    ): Promise<boolean> {
      const r = await db
        .updateTable('users')
        .set({ passwordHash, updatedAt })
        .where('id', '=', id)
        .where('passwordHash', '=', expected)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
    async count(): Promise<number> {
      const row = await db
        .selectFrom('users')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },
  };
}
