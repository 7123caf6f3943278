import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type DatabaseHandle } from '../../src/store/dialect.js';
import { createTestDatabase, PG_ADMIN_URL, type TestDatabase } from '../helpers/database.js';

/**
 * A pooled connection that PostgreSQL ends while it is checked out (a restart, an admin's
 * pg_terminate_backend) must not take the process down: pg's pool listens for errors on idle connections
 * only, and an 'error' event with no listener is an uncaught exception (this file's worker would fail).
 */
let db: TestDatabase;
let handle: DatabaseHandle;
const poolErrors: Error[] = [];
beforeAll(async () => {
  db = await createTestDatabase();
  handle = openDatabase(db.url, { onPoolError: (e) => poolErrors.push(e) });
});
afterAll(async () => {
  await handle?.close();
  await db?.drop();
});

describe('a connection ended while checked out', () => {
  it('fails its own transaction, is reported, and the pool goes on with a new one', async () => {
    const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
    await admin.connect();
    const ended = handle.db.transaction().execute(async (tx) => {
      const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(tx);
      await admin.query('select pg_terminate_backend($1)', [rows[0]!.pid]);
      // Between two statements: the connection's end arrives now, with nothing running on it.
      await new Promise((r) => setTimeout(r, 300));
      await sql`select 1`.execute(tx);
    });
    await expect(ended).rejects.toThrow();
    await admin.end();
    expect(poolErrors.map((e) => e.message).join(' ')).toMatch(/terminat/i);
    const { rows } = await sql<{ one: number }>`select 1 as one`.execute(handle.db);
    expect(rows).toEqual([{ one: 1 }]);
  });
});
