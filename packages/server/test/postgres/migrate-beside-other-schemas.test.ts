import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/store/dialect.js';
import { migrateToLatest } from '../../src/store/migrate.js';
import { createTestDatabase, PG_ADMIN_URL, type TestDatabase } from '../helpers/database.js';

/**
 * Latchkey shares its PostgreSQL database with whatever else lives there. Kysely's own introspection read
 * every table of every schema and looked each schema up again by name, so another schema dropped during
 * our start-up failed it with `schema "…" does not exist` (store/schema-introspector.ts). Here other
 * schemas with tables are created and dropped without pause while fresh installations migrate.
 */
const ROUNDS = 12;
const databases: TestDatabase[] = [];
afterAll(async () => {
  for (const d of databases) await d.drop();
});

describe('migrating while other schemas come and go', () => {
  it('every installation migrates, and sees only its own schema', async () => {
    const churn = new pg.Client({ connectionString: PG_ADMIN_URL });
    await churn.connect();
    let stop = false;
    let dropped = 0;
    const loop = (async () => {
      for (let i = 0; !stop; i++) {
        const name = `lk_churn_${process.pid}_${i}`;
        await churn.query(
          `create schema ${name}; create table ${name}.a (id serial primary key, v text); create table ${name}.b (id int)`,
        );
        await churn.query(`drop schema ${name} cascade`);
        dropped++;
      }
    })();
    const failures: string[] = [];
    try {
      for (let i = 0; i < ROUNDS; i++) {
        const database = await createTestDatabase();
        databases.push(database);
        const handle = openDatabase(database.url);
        try {
          await migrateToLatest(handle);
        } catch (e) {
          failures.push((e as Error).message);
        } finally {
          await handle.db.destroy();
        }
      }
    } finally {
      stop = true;
      await loop;
      await churn.end();
    }
    expect(failures).toEqual([]);
    // The churn really ran alongside: schemas were dropped while the installations migrated.
    expect(dropped).toBeGreaterThan(ROUNDS);
  });
});
