import { sql, type DatabaseIntrospector, type Kysely, type TableMetadata } from 'kysely';

/**
 * What Kysely's migrator asks of a PostgreSQL database — does our schema exist, which tables are in it —
 * answered for the one schema Latchkey runs in.
 *
 * Kysely's own introspector reads every column of every table in the whole database and calls
 * `has_schema_privilege(name)` and `pg_get_serial_sequence(name)` on each row. Both look the name up again,
 * so a schema or table that another session drops meanwhile fails the start-up with "schema … does not
 * exist" (seen with the test suite's schemas, created and dropped in parallel), and the scan grows with
 * whatever else shares the database. This reads `pg_catalog` for our schema only, by name, calling nothing
 * on the rows.
 */
export function schemaIntrospector(db: Kysely<unknown>, schema: string): DatabaseIntrospector {
  const getTables = async (): Promise<TableMetadata[]> => {
    const rows = await sql<{ name: string; kind: string }>`
      select c.relname as name, c.relkind as kind
      from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
      where n.nspname = ${schema} and c.relkind in ('r', 'v', 'p')
      order by c.relname`.execute(db);
    return rows.rows.map((r) => ({ name: r.name, schema, isView: r.kind === 'v', columns: [] }));
  };
  return {
    async getSchemas() {
      const rows = await sql<{ name: string }>`
        select nspname as name from pg_catalog.pg_namespace where nspname = ${schema}`.execute(db);
      return rows.rows;
    },
    getTables,
    async getMetadata() {
      return { tables: await getTables() };
    },
  };
}

/**
 * `db` as the migrator sees it: the same instance, with `introspection` scoped to `schema`. Methods are
 * bound to the real instance (Kysely keeps its state in private fields, which a Proxy cannot reach).
 */
export function withSchemaIntrospection<DB>(db: Kysely<DB>, schema: string): Kysely<DB> {
  const introspection = schemaIntrospector(db as Kysely<unknown>, schema);
  return new Proxy(db, {
    get(target, property) {
      if (property === 'introspection') return introspection;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}
