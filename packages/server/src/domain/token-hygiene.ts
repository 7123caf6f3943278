/**
 * Stale-token hygiene (docs/lifecycle.md): what is worth an admin's attention about a live token, and
 * what to do about it. Pure rules; the report (services/token-hygiene.ts) applies them to every token
 * of an org that is neither revoked nor expired.
 */

/** Why a token is in the report, most urgent first (the order rows' findings are listed in). */
export const HYGIENE_REASONS = [
  /** Its service account is disabled: it is refused today; nothing breaks if it goes. */
  'service_account_disabled',
  /** Issued more than `unusedDays` ago and never verified. */
  'never_used',
  /** Last verified more than `unusedDays` ago. */
  'unused',
  /** Owned by a person (legacy): it leaves with them unless it moves to a service account. */
  'user_owned',
  /** A public token allowed from an `http://` origin, where anyone on the path can run script as it. */
  'http_origin',
  /** A private value unchanged for more than `rotateDays`. */
  'old_secret',
  /** A private token that never expires. */
  'no_expiry',
] as const;
export type HygieneReason = (typeof HYGIENE_REASONS)[number];

/** What the report suggests; each is also a bulk action (POST /orgs/{org}/tokens/bulk). */
export const HYGIENE_ACTIONS = ['revoke', 'reassign', 'use_https', 'rotate', 'set_expiry'] as const;
export type HygieneAction = (typeof HYGIENE_ACTIONS)[number];

export const ACTION_OF: Record<HygieneReason, HygieneAction> = {
  service_account_disabled: 'revoke',
  never_used: 'revoke',
  unused: 'revoke',
  user_owned: 'reassign',
  http_origin: 'use_https',
  old_secret: 'rotate',
  no_expiry: 'set_expiry',
};

export interface HygienePolicy {
  /** A token not verified for this many days is unused (LATCHKEY_TOKEN_UNUSED_DAYS). */
  unusedDays: number;
  /** A private value older than this many days should be rotated (LATCHKEY_TOKEN_ROTATE_DAYS). */
  rotateDays: number;
}

export interface HygieneSubject {
  type: 'public' | 'private';
  createdAt: string;
  lastUsedAt: string | null;
  rotatedAt: string | null;
  expiresAt: string | null;
  ownerUserId: string | null;
  ownerDisabled: boolean;
  domains: readonly string[];
}

const DAY_MS = 86_400_000;
const olderThan = (at: string, days: number, nowMs: number) => Date.parse(at) <= nowMs - days * DAY_MS;

/** The reasons a live token is in the report, in HYGIENE_REASONS order ([] when it is fine). */
export function hygieneFindings(t: HygieneSubject, now: string, policy: HygienePolicy): HygieneReason[] {
  const nowMs = Date.parse(now);
  const found = new Set<HygieneReason>();
  if (t.ownerDisabled) found.add('service_account_disabled');
  if (t.lastUsedAt === null) {
    if (olderThan(t.createdAt, policy.unusedDays, nowMs)) found.add('never_used');
  } else if (olderThan(t.lastUsedAt, policy.unusedDays, nowMs)) found.add('unused');
  if (t.ownerUserId !== null) found.add('user_owned');
  if (t.type === 'public' && t.domains.some(isHttpOrigin)) found.add('http_origin');
  if (t.type === 'private' && olderThan(t.rotatedAt ?? t.createdAt, policy.rotateDays, nowMs))
    found.add('old_secret');
  if (t.type === 'private' && t.expiresAt === null) found.add('no_expiry');
  return HYGIENE_REASONS.filter((r) => found.has(r));
}

export const isHttpOrigin = (origin: string) => origin.startsWith('http://');

/**
 * A public token's origins with `http://` moved to `https://` (the `use_https` action), each once, in
 * their order: the same host (and an explicit port, kept) served over TLS.
 */
export function httpsOrigins(domains: readonly string[]): string[] {
  const moved = domains.map((d) => (isHttpOrigin(d) ? `https://${d.slice('http://'.length)}` : d));
  return [...new Set(moved)];
}
