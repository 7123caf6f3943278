import { sql, type Kysely, type Migration } from 'kysely';
import { LEGACY_HASH_ONLY_HINT, LEGACY_HINT_SHOWN, legacyHint } from '../../domain/token-format.js';

/**
 * Issue 11, finding 15: imported legacy tokens used to be hinted like Latchkey's own, first 4 + last 4
 * characters, which for a short legacy value is most or all of the secret. This rewrites those hints
 * to the new form (domain/token-format.ts: the last 2 characters, and the length where the value is
 * known) in the tokens table, and scrubs the old hints from the before/after JSON of the audit
 * entries about those tokens. Idempotent: a hint already in the new form is left alone.
 */
export function legacyTokenHintsMigration(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      // Aliases without underscores: the CamelCasePlugin would rename snake_case keys in results.
      const tokens = await sql<{ id: string; hint: string; pv: string | null }>`
        select id, hint, public_value as pv from tokens where imported_at is not null`.execute(db);
      const rewritten = new Map<string, string>();
      for (const t of tokens.rows) {
        const hint = safeLegacyHint(t.hint, t.pv);
        if (hint === null || hint === t.hint) continue;
        await sql`update tokens set hint = ${hint} where id = ${t.id}`.execute(db);
        rewritten.set(t.id, hint);
      }
      const ids = [...rewritten.keys()];
      for (let i = 0; i < ids.length; i += 500) {
        const chunk = ids.slice(i, i + 500);
        const entries = await sql<{
          seq: number | string;
          tid: string;
          before: string | null;
          after: string | null;
        }>`
          select seq, target_id as tid, "before", "after" from audit_log
          where target_type = 'token' and target_id in (${sql.join(chunk)})`.execute(db);
        for (const e of entries.rows) {
          const hint = rewritten.get(e.tid)!;
          const before = withHint(e.before, hint);
          const after = withHint(e.after, hint);
          if (before === e.before && after === e.after) continue;
          await sql`update audit_log set "before" = ${before}, "after" = ${after} where seq = ${e.seq}`.execute(
            db,
          );
        }
      }
    },
  };
}

/** The hint an imported token should have, from its old hint (and its value, for public tokens); null = keep. */
export function safeLegacyHint(oldHint: string, publicValue: string | null): string | null {
  // A value in Latchkey's own format (imported from another installation) keeps its hint.
  if (/lk_(pub|prv)_/.test(oldHint)) return null;
  if (oldHint.startsWith('legacy')) return null; // already rewritten
  if (oldHint.startsWith('sha256:')) return LEGACY_HASH_ONLY_HINT;
  if (publicValue !== null) return legacyHint(publicValue);
  // The old form ended with the value's last 4 characters; keep 2 of them. The length is not known.
  return `legacy…${oldHint.slice(-LEGACY_HINT_SHOWN)}`;
}

/** The JSON text with its `hint` field (if any) replaced. */
function withHint(json: string | null, hint: string): string | null {
  if (json === null) return null;
  const value = JSON.parse(json) as unknown;
  if (value === null || typeof value !== 'object' || !('hint' in value)) return json;
  return JSON.stringify({ ...(value as Record<string, unknown>), hint });
}
