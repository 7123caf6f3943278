import pg from 'pg';

/**
 * The PostgreSQL half needs a server. Under CI it must run, so a missing server fails the run; on a
 * developer machine without PostgreSQL it says plainly why the half cannot run and fails the same way
 * (start it, or run `npx vitest run --project sqlite`).
 */
export default async function postgresAvailable(): Promise<void> {
  const url = process.env.LATCHKEY_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await c.connect();
    // Schemas left by an earlier, interrupted run: only those whose process (lk_test_<pid>_…) is gone, so
    // that a run never pulls the tables from under another run on the same server.
    const stale = await c.query<{ name: string }>(
      "select schema_name as name from information_schema.schemata where schema_name like 'lk\\_test\\_%'",
    );
    for (const { name } of stale.rows) {
      const pid = Number(/^lk_test_(\d+)_/.exec(name)?.[1]);
      if (Number.isInteger(pid) && pid > 0 && processAlive(pid)) continue;
      await c.query(`drop schema if exists "${name}" cascade`);
    }
  } catch (e) {
    throw new Error(
      `The PostgreSQL half of the suite cannot run: no PostgreSQL at ${url} (${(e as Error).message}). ` +
        'Start it (on these machines: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start), ' +
        'or run only the SQLite half with: npx vitest run --project sqlite',
    );
  } finally {
    await c.end().catch(() => undefined);
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
