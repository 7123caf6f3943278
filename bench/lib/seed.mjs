// Seeding many tokens fast, for the benchmarks: straight into the database, past the API.
import { createHash } from 'node:crypto';
import { createWriteStream, rmSync } from 'node:fs';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { createLatchkey, createLogger, loadConfig } from '@latchkey/server';
import { generateToken, hashToken, tokenHint } from '../../packages/server/dist/domain/token-format.js';

/** A fresh database with the org `bench`, its owner and its `admin` service account (as bootstrap makes them). */
async function bootstrapBench(databaseUrl) {
  const lk = await createLatchkey(
    loadConfig({ DATABASE_URL: databaseUrl, LOG_LEVEL: 'warn' }),
    createLogger('warn'),
  );
  try {
    const boot = await lk.services.setup.bootstrap({
      slug: 'bench',
      email: 'owner@bench.test',
      password: 'bench password 123',
      adminToken: true,
    });
    return { boot, sa: await lk.store.serviceAccounts.findInOrg(boot.org.id, 'admin') };
  } finally {
    await lk.close();
  }
}

/** `count` real Latchkey-format private tokens on SQLite; their values, one per line, in a file for wrk. */
export async function seedSqlite(dir, count) {
  const dbPath = join(dir, `mix-${count}.db`);
  const { boot, sa } = await bootstrapBench(`sqlite:${dbPath}`);
  const db = new SQLite(dbPath);
  db.pragma('journal_mode = WAL');
  const insert =
    db.prepare(`insert into tokens (id, org_id, name, type, hash, hint, public_value, owner_service_account_id, owner_user_id, permissions, domains,
    expires_at, revoked_at, imported_at, created_by_type, created_by_id, created_at, updated_at, last_used_at, last_used_origin)
    values (?, ?, ?, 'private', ?, ?, null, ?, null, null, '[]', null, null, null, 'system', null, ?, ?, null, null)`);
  const tokensFile = join(dir, `mix-${count}.tokens`);
  const out = createWriteStream(tokensFile);
  const now = new Date().toISOString();
  const batch = db.transaction((from, to) => {
    const lines = [];
    for (let i = from; i < to; i++) {
      const value = generateToken('private');
      lines.push(value);
      insert.run(
        `tok_${createHash('sha256').update(`mix ${i}`).digest('hex').slice(0, 20)}`,
        boot.org.id,
        `seed ${i}`,
        hashToken(value),
        tokenHint(value, 'private'),
        sa.id,
        now,
        now,
      );
    }
    out.write(`${lines.join('\n')}\n`);
  });
  for (let i = 0; i < count; i += 50_000) batch(i, Math.min(count, i + 50_000));
  await new Promise((r) => out.end(r));
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  return { databaseUrl: `sqlite:${dbPath}`, tokensFile, drop: async () => rmSync(dbPath, { force: true }) };
}

/** `count` imported (legacy-format) tokens on PostgreSQL, hashed by PostgreSQL itself: seeds in seconds. */
export async function seedPostgres(dir, count, PG_URL) {
  const schema = `lk_bench_${process.pid}`;
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  await admin.query(`drop schema if exists ${schema} cascade; create schema ${schema}`);
  const url = new URL(PG_URL);
  url.searchParams.set('options', `-c search_path=${schema}`);
  const databaseUrl = url.toString();
  const { boot, sa } = await bootstrapBench(databaseUrl);
  await admin.query(`set search_path = ${schema}`);
  await admin.query(
    `insert into tokens (id, org_id, name, type, hash, hint, owner_service_account_id, domains, imported_at, created_by_type, created_at, updated_at)
     select 'tok_' || lpad(i::text, 20, '0'), $1, 'seed ' || i, 'private', encode(sha256(('bench-legacy-value-' || i)::bytea), 'hex'), 'legacy…', $2, '[]', now(), 'system', now(), now()
     from generate_series(1, $3::int) as i`,
    [boot.org.id, sa.id, count],
  );
  await admin.query('analyze tokens');
  await admin.end();
  const tokensFile = join(dir, `mix-pg-${count}.tokens`);
  const out = createWriteStream(tokensFile);
  for (let i = 1; i <= count; i += 100_000) {
    const lines = [];
    for (let j = i; j < Math.min(count + 1, i + 100_000); j++) lines.push(`bench-legacy-value-${j}`);
    out.write(`${lines.join('\n')}\n`);
  }
  await new Promise((r) => out.end(r));
  return {
    databaseUrl,
    tokensFile,
    async drop() {
      const c = new pg.Client({ connectionString: PG_URL });
      await c.connect();
      await c.query(`drop schema if exists ${schema} cascade`);
      await c.end();
    },
  };
}
