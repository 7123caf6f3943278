import { InvalidArgumentError, Option } from 'commander';
import { UsageError } from '../remote/remote-command.js';
import type { Token } from '../remote/types.js';

/**
 * The CLI's spelling of a token's limits (docs/verification.md "Rate limits and quotas"):
 *   --rate-limit burst=50/1 --rate-limit daily=10000/86400   (name=limit/windowSeconds, repeatable)
 *   --quota 1000 --quota-refill 1000/month                    (refill: amount/day or amount/month)
 * and, on update, `none` to remove them. The server checks the values; these only parse the text.
 */

export type RateLimitArg = Token['rateLimits'][number];

function rateLimitArg(text: string, previous: RateLimitArg[] | 'none' | undefined): RateLimitArg[] | 'none' {
  if (text === 'none') return 'none';
  const m = /^([a-z0-9][a-z0-9_-]*)=(\d+)\/(\d+)$/.exec(text.trim());
  if (!m) throw new InvalidArgumentError('expected name=limit/seconds, e.g. burst=50/1 or daily=10000/86400');
  const rule = { name: m[1]!, limit: Number(m[2]), windowSeconds: Number(m[3]) };
  return [...(Array.isArray(previous) ? previous : []), rule];
}

function quotaArg(text: string): number | 'none' {
  if (text === 'none') return 'none';
  if (!/^\d+$/.test(text.trim())) throw new InvalidArgumentError('expected a number of credits, or "none"');
  return Number(text);
}

function refillArg(text: string): { interval: 'day' | 'month'; amount: number } {
  const m = /^(\d+)\/(day|month)$/.exec(text.trim());
  if (!m) throw new InvalidArgumentError('expected amount/day or amount/month, e.g. 1000/month');
  return { amount: Number(m[1]), interval: m[2] as 'day' | 'month' };
}

/** The options create and update add (update also takes `none`); a fresh Option per command. */
export const limitOptions = {
  rateLimit: () =>
    new Option(
      '--rate-limit <name=limit/seconds>',
      'a rate-limit window, e.g. burst=50/1 (repeat for several; "none" on update: remove them all)',
    ).argParser(rateLimitArg),
  quota: () =>
    new Option(
      '--quota <credits>',
      'a quota of credits, one per verification ("none" on update: remove it)',
    ).argParser(quotaArg),
  quotaRefill: () =>
    new Option(
      '--quota-refill <amount/interval>',
      'refill the quota each UTC day or month, e.g. 1000/month (with --quota)',
    ).argParser(refillArg),
};

export interface LimitOptionValues {
  rateLimit?: RateLimitArg[] | 'none';
  quota?: number | 'none';
  quotaRefill?: { interval: 'day' | 'month'; amount: number };
}

/** The body fields the options give (none when not given). */
export function limitSettings(o: LimitOptionValues) {
  if (o.quotaRefill && (o.quota === undefined || o.quota === 'none'))
    throw new UsageError('--quota-refill needs --quota <credits>');
  return {
    ...(o.rateLimit ? { rateLimits: o.rateLimit === 'none' ? [] : o.rateLimit } : {}),
    ...(o.quota !== undefined
      ? { quota: o.quota === 'none' ? null : { limit: o.quota, refill: o.quotaRefill ?? null } }
      : {}),
  };
}

type Refill = { interval: 'day' | 'month'; amount: number } | null;

/** The same settings as options again, for a command line that recreates a token (a leak's replacement). */
export function limitFlags(t: {
  rateLimits: readonly RateLimitArg[];
  quota: { limit: number; refill: Refill } | null;
}): string {
  const windows = t.rateLimits.map((r) => ` --rate-limit ${r.name}=${r.limit}/${r.windowSeconds}`).join('');
  const quota = t.quota
    ? ` --quota ${t.quota.limit}${t.quota.refill ? ` --quota-refill ${t.quota.refill.amount}/${t.quota.refill.interval}` : ''}`
    : '';
  return windows + quota;
}
