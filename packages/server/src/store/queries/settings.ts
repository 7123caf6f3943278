import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';

/** Deployment-wide key/value settings (e.g. the hash of the one-time setup token). */
export function settingQueries(db: Kysely<Database>) {
  return {
    async get(key: string): Promise<string | undefined> {
      const row = await db.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirst();
      return row?.value;
    },
    async set(key: string, value: string): Promise<void> {
      await db
        .insertInto('settings')
        .values({ key, value })
        .onConflict((oc) => oc.column('key').doUpdateSet({ value }))
        .execute();
    },
    async delete(key: string): Promise<void> {
      await db.deleteFrom('settings').where('key', '=', key).execute();
    },
  };
}
