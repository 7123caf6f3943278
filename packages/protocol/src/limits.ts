/**
 * A token's limits as a verification answer shows them (issue 15): the tightest rate-limit window (or the
 * one that refused) and the quota's balance. Shared by the server's answers and the middleware's headers.
 */
export interface RateLimitInfo {
  /** The window's name, as the token's settings call it (e.g. `burst`, `daily`). */
  name: string;
  limit: number;
  remaining: number;
  /** When the window ends (ISO 8601). */
  resetAt: string;
}

export interface QuotaInfo {
  limit: number;
  /** Credits left after this verification. */
  remaining: number;
  /** The next refill (ISO 8601), or null when the quota does not refill. */
  refillAt: string | null;
}

/** Whole seconds from `nowMs` until `iso`, at least 0 (the `RateLimit-Reset` and `Retry-After` value). */
export function secondsUntil(iso: string, nowMs: number): number {
  return Math.max(0, Math.ceil((Date.parse(iso) - nowMs) / 1000));
}

/**
 * The IETF draft's RateLimit-Limit / -Remaining / -Reset headers (draft-ietf-httpapi-ratelimit-headers),
 * as name/value pairs, for a window.
 */
export function rateLimitHeaders(info: RateLimitInfo, nowMs: number): [string, string][] {
  return [
    ['ratelimit-limit', String(info.limit)],
    ['ratelimit-remaining', String(info.remaining)],
    ['ratelimit-reset', String(secondsUntil(info.resetAt, nowMs))],
  ];
}
