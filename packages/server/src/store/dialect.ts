import SQLite from 'better-sqlite3';
import {
  CamelCasePlugin,
  CompiledQuery,
  Kysely,
  PostgresDialect,
  SqliteDialect,
  SqliteDriver,
  type DatabaseConnection,
  type Driver,
  type SqliteDialectConfig,
} from 'kysely';
import pg from 'pg';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Database } from './schema.js';

export type DialectName = 'sqlite' | 'postgres';

export interface DatabaseHandle {
  db: Kysely<Database>;
  dialect: DialectName;
  /** The raw SQLite connection, for the few hand-prepared statements of the verify hot path. */
  sqlite?: SQLite.Database;
  /** The PostgreSQL pool, for the verify hot path's named (server-side prepared) statement. */
  pool?: pg.Pool;
  close(): Promise<void>;
}

/**
 * Opens the database named by DATABASE_URL: `sqlite:<path>` (or `sqlite::memory:`) or `postgres://…`.
 * All dialect differences stay in this folder.
 */
export function openDatabase(
  url: string,
  opts: { poolMax?: number; onPoolError?: (err: Error) => void } = {},
): DatabaseHandle {
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) {
    // timestamptz → ISO string, int8 → number: the rest of the code sees the same values as on SQLite.
    pg.types.setTypeParser(pg.types.builtins.TIMESTAMPTZ, (v) => new Date(v).toISOString());
    pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));
    const pool = new pg.Pool({
      connectionString: url,
      max: opts.poolMax ?? 10,
      statement_timeout: 10_000,
      idleTimeoutMillis: 30_000,
    });
    // An idle pooled connection that dies (PostgreSQL restarted, network cut) emits 'error' on the pool;
    // unhandled, that would crash the process. The pool replaces it; queries meanwhile fail and are handled.
    pool.on('error', (err) => opts.onPoolError?.(err));
    // The pool listens for errors only on idle connections: one that dies while checked out (PostgreSQL
    // stopped in the middle of a transaction, between two statements) would emit 'error' with no listener,
    // and Node would end the process. Its statement fails on its own; the pool drops it when it comes back.
    pool.on('connect', (client) => client.on('error', (err) => opts.onPoolError?.(err)));
    const db = new Kysely<Database>({
      dialect: new PostgresDialect({ pool }),
      plugins: [new CamelCasePlugin()],
    });
    return { db, dialect: 'postgres', pool, close: () => db.destroy() };
  }
  if (!url.startsWith('sqlite:')) {
    throw new Error(`DATABASE_URL must start with sqlite: or postgres:// (got "${url.split(':')[0]}:…")`);
  }
  const path = url.slice('sqlite:'.length);
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const sqlite = new SQLite(path);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  // Several processes may write (`serve --workers`, or the CLI next to a server): a writer waits up to 5 s
  // for another's lock instead of failing, and transactions take the write lock when they begin (below).
  sqlite.pragma('busy_timeout = 5000');
  const db = new Kysely<Database>({
    dialect: new ImmediateSqliteDialect({ database: sqlite }),
    plugins: [new CamelCasePlugin()],
  });
  return { db, dialect: 'sqlite', sqlite, close: () => db.destroy() };
}

/**
 * Write transactions begin with BEGIN IMMEDIATE. A deferred BEGIN reads first and asks for the write lock
 * at its first write; if another process committed in between, SQLite answers SQLITE_BUSY at once (the
 * snapshot is stale, so waiting cannot help and busy_timeout is not consulted). Taking the lock up front
 * makes a concurrent writer wait its turn instead.
 */
class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

class ImmediateSqliteDialect extends SqliteDialect {
  readonly #config: SqliteDialectConfig;
  constructor(config: SqliteDialectConfig) {
    super(config);
    this.#config = config;
  }
  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.#config);
  }
}
