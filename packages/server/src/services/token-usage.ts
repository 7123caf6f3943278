import { AppError, notFound } from '../domain/errors.js';
import type { OrgScope, ServiceDeps } from './context.js';
import { iso } from './context.js';

/** The longest range one usage report covers (the retention bounds what is there anyway). */
export const MAX_USAGE_REPORT_DAYS = 366;

const DAY_MS = 86_400_000;
const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** A YYYY-MM-DD that is a real day (the schema checks the shape; 2026-02-30 is refused here). */
function parseDay(text: string, field: 'from' | 'to'): number {
  const ms = Date.parse(`${text}T00:00:00Z`);
  if (!Number.isFinite(ms) || dayOf(ms) !== text)
    throw new AppError('validation_failed', `${field}: ${text} is not a day (YYYY-MM-DD).`, { field });
  return ms;
}

/**
 * A token's usage analytics (issue 15): per UTC day its successful verifications and its refusals by
 * code, and the origins and addresses it was used from — what the platform needs when a customer says
 * "my site broke". Written by the usage flush, so the last LATCHKEY_USAGE_FLUSH_SECONDS are not in it yet.
 */
export function tokenUsageService(deps: ServiceDeps) {
  const { store, clock, config } = deps;
  return {
    async report(scope: OrgScope, id: string, range: { from?: string; to?: string }) {
      const t = await store.tokens.findInOrg(scope.org.id, id);
      if (!t) throw notFound('Token');
      const toMs =
        range.to === undefined
          ? Date.parse(`${iso(clock.now()).slice(0, 10)}T00:00:00Z`)
          : parseDay(range.to, 'to');
      const fromMs = range.from === undefined ? toMs - 29 * DAY_MS : parseDay(range.from, 'from');
      if (fromMs > toMs)
        throw new AppError('validation_failed', 'from must not be after to.', { field: 'from' });
      if ((toMs - fromMs) / DAY_MS + 1 > MAX_USAGE_REPORT_DAYS)
        throw new AppError('validation_failed', `A report covers at most ${MAX_USAGE_REPORT_DAYS} days.`, {
          field: 'from',
        });
      const from = dayOf(fromMs);
      const to = dayOf(toMs);
      const r = await store.usage.report(t.id, from, to);
      // Every day of the range, in order, zeros included: a chart needs no gap filling.
      const days = new Map<string, { day: string; valid: number; refused: Record<string, number> }>();
      for (let ms = fromMs; ms <= toMs; ms += DAY_MS)
        days.set(dayOf(ms), { day: dayOf(ms), valid: 0, refused: {} });
      for (const v of r.valid) days.get(v.day)!.valid = v.count;
      for (const x of r.refused) days.get(x.day)!.refused[x.code] = x.count;
      const sources = (kind: 'origin' | 'address') =>
        r.sources
          .filter((s) => s.kind === kind)
          .map((s) => ({ value: s.value, firstSeenAt: s.firstSeen, lastSeenAt: s.lastSeen, count: s.count }));
      return {
        from,
        to,
        retentionDays: config.usageRetentionDays,
        days: [...days.values()],
        origins: sources('origin'),
        addresses: sources('address'),
      };
    },
  };
}
