import type { HygieneAction, HygieneReason, ReportRow } from '../../../api/types';

/**
 * The report's reasons and actions in plain words. Records over the API's own unions, so a reason or an
 * action the server adds stops the console compiling until it is described here.
 */
export const REASONS: Record<
  HygieneReason,
  { label: (report: Policy) => string; color: string; why: string }
> = {
  // Keys in the API's order: most urgent first.
  service_account_disabled: {
    label: () => 'Service account disabled',
    color: 'red',
    why: 'Its service account is disabled, so it is refused today: nothing breaks if it goes.',
  },
  never_used: {
    label: () => 'Never used',
    color: 'red',
    why: 'Issued long ago and never verified since: probably never needed.',
  },
  unused: {
    label: (p) => `Unused for ${p.unusedDays}+ days`,
    color: 'orange',
    why: 'Not verified for a long time: probably no longer needed.',
  },
  user_owned: {
    label: () => 'Owned by a person',
    color: 'orange',
    why: 'A legacy token owned by a person leaves with them unless it moves to a service account.',
  },
  http_origin: {
    label: () => 'Allows http:// origins',
    color: 'yellow',
    why: 'Anyone on the network path of an http:// page can run script as this public token.',
  },
  old_secret: {
    label: (p) => `Secret older than ${p.rotateDays} days`,
    color: 'grape',
    why: 'The private value has not changed for a long time: rotate it.',
  },
  no_expiry: {
    label: () => 'Never expires',
    color: 'gray',
    why: 'A private token that never expires outlives whatever it was made for.',
  },
};

/** The report's thresholds, which some labels mention. */
export interface Policy {
  unusedDays: number;
  rotateDays: number;
}

/** Every reason, most urgent first (the order of REASONS). */
export const REASON_ORDER = Object.keys(REASONS) as HygieneReason[];

/** Each action as its button says it, and as the "Suggested" column says it; in the bulk bar's order. */
export const ACTIONS: Record<HygieneAction, { button: string; suggestion: string }> = {
  revoke: { button: 'Revoke', suggestion: 'Revoke' },
  reassign: { button: 'Reassign', suggestion: 'Reassign to a service account' },
  use_https: { button: 'Use https', suggestion: 'Switch to https://' },
  rotate: { button: 'Rotate', suggestion: 'Rotate' },
  set_expiry: { button: 'Set expiry', suggestion: 'Set an expiry' },
};
export const ACTION_ORDER = Object.keys(ACTIONS) as HygieneAction[];

/** The rows with `reason` among their findings (all rows for null). */
export function rowsWith(rows: readonly ReportRow[], reason: HygieneReason | null): ReportRow[] {
  return reason === null ? [...rows] : rows.filter((r) => r.findings.some((f) => f.reason === reason));
}

/** A row's http:// origins, which use_https moves to https:// (same host and port). */
export const httpOrigins = (row: ReportRow) => row.domains.filter((d) => d.startsWith('http://'));

/** "1 token", "3 tokens". */
export const tokensText = (n: number) => `${n} ${n === 1 ? 'token' : 'tokens'}`;

/**
 * The server's refusal of a bulk action, naming the token by its name: the API names it by id (the message
 * starts with it, and `details.id` carries it), which means nothing to a person looking at a list of names.
 */
export function refusalText(message: string, details: unknown, rows: readonly ReportRow[]): string {
  const id =
    typeof details === 'object' && details !== null && 'id' in details && typeof details.id === 'string'
      ? details.id
      : null;
  const row = id === null ? undefined : rows.find((r) => r.id === id);
  if (!id || !row) return message;
  return message.startsWith(`${id}: `)
    ? `${row.name}: ${message.slice(id.length + 2)}`
    : `${row.name}: ${message}`;
}
