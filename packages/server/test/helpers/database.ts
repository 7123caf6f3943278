import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import pg from 'pg';
import { tempDir } from './process.js';

/**
 * The store a test runs on. `LATCHKEY_TEST_DB=postgres` (the suite's postgres project) gives every
 * instance its own fresh schema on the local PostgreSQL; otherwise SQLite. Each caller cleans up.
 */
export const TEST_STORE: 'sqlite' | 'postgres' =
  process.env.LATCHKEY_TEST_DB === 'postgres' ? 'postgres' : 'sqlite';
export const PG_ADMIN_URL = process.env.LATCHKEY_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

export async function createTestDatabase(kind: 'memory' | 'file' = 'memory'): Promise<TestDatabase> {
  if (TEST_STORE === 'sqlite') {
    return {
      url: kind === 'memory' ? 'sqlite::memory:' : `sqlite:${join(tempDir('latchkey-db-'), 'latchkey.db')}`,
      drop: async () => {},
    };
  }
  const schema = `lk_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  await admin.end();
  const url = new URL(PG_ADMIN_URL);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: PG_ADMIN_URL });
      await c.connect();
      await c.query(`drop schema if exists ${schema} cascade`);
      await c.end();
    },
  };
}

/** Can we connect to the test PostgreSQL right now? (The fault tests stop and start it.) */
export async function postgresReachable(url = PG_ADMIN_URL, timeoutMs = 1000): Promise<boolean> {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
  try {
    await c.connect();
    return true;
  } catch {
    return false;
  } finally {
    await c.end().catch(() => undefined);
  }
}
