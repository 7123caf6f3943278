import type { AuditEntry } from '../../api/types';

/** The field of a recorded object that names it for a person: a name, else an e-mail address. */
function nameIn(value: unknown): string | null {
  if (!value || typeof value !== 'object') return null;
  const v = value as { name?: unknown; email?: unknown };
  if (typeof v.name === 'string' && v.name) return v.name;
  if (typeof v.email === 'string' && v.email) return v.email;
  return null;
}

/**
 * What an entry's target is called, from what the entry recorded (the name it had after the change, else
 * before): "storefront", "ada@acme.test". Null when the entry recorded neither (the id is shown instead).
 */
export function targetName(e: Pick<AuditEntry, 'before' | 'after'>): string | null {
  return nameIn(e.after) ?? nameIn(e.before);
}

/**
 * The entry's object as the log shows it: "service account storefront", "token checkout", or for a bulk
 * change's one entry how many tokens and what was done to them ("3 tokens · revoke"); the id when the
 * entry recorded no name.
 */
export function targetLabel(e: Pick<AuditEntry, 'action' | 'target' | 'before' | 'after'>): string {
  if (e.action === 'token.bulk_change' && e.after && typeof e.after === 'object') {
    const { count, action } = e.after as { count?: unknown; action?: unknown };
    if (typeof count === 'number') return `${count} token${count === 1 ? '' : 's'} · ${String(action)}`;
  }
  return `${e.target.type.replace('_', ' ')} ${targetName(e) ?? e.target.id ?? ''}`.trim();
}

/** Who did it, as a person reads it: the recorded label (an e-mail, a token's name), else the actor type. */
export function actorName(e: Pick<AuditEntry, 'actor'>): string {
  return e.actor.label ?? e.actor.type;
}

/**
 * A day picked in a date input (local time) as the API's bounds: from its first moment (`since`), or up to
 * the first moment of the next day (`until`, exclusive), so "until 7 Dec" includes all of 7 Dec.
 */
export function dayBound(day: string, which: 'since' | 'until'): string | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!m) return undefined;
  const start = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + (which === 'until' ? 1 : 0));
  return Number.isNaN(start.getTime()) ? undefined : start.toISOString();
}
