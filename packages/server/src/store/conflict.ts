/**
 * A write refused by a unique constraint, on either dialect. The store turns SQLite's
 * `SQLITE_CONSTRAINT_UNIQUE`/`_PRIMARYKEY` and PostgreSQL's `23505` into this one error (store.ts wraps
 * every query module), so services never see a driver's error codes: they say what the conflict means
 * for their use case (`name_taken`, `email_taken`, …) with `onConflict` (services/context.ts).
 */
export class ConflictError extends Error {
  constructor(cause: unknown) {
    super('A unique constraint refused the write.', { cause });
    this.name = 'ConflictError';
  }
}

/** True for a unique-constraint violation of either driver. */
function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === '23505';
}

function rethrow(error: unknown): never {
  throw isUniqueViolation(error) ? new ConflictError(error) : error;
}

/**
 * The same query module, its methods throwing ConflictError for a unique violation. Query methods are
 * async (Kysely executes asynchronously), so the mapping is on the promise; a method that answers a
 * plain value is passed through untouched.
 */
export function mappingConflicts<T extends object>(queries: T): T {
  const mapped: Record<string, unknown> = {};
  for (const [name, member] of Object.entries(queries)) {
    if (typeof member !== 'function') {
      mapped[name] = member;
      continue;
    }
    const method = member as (...args: unknown[]) => unknown;
    mapped[name] = (...args: unknown[]) => {
      const result = method.apply(queries, args);
      return result instanceof Promise ? result.catch(rethrow) : result;
    };
  }
  return mapped as T;
}
