/**
 * When the value a rotation replaces may retire (docs/api.md, POST /orgs/{org}/tokens/{id}/rotate). Pure, so
 * the service and the console's rotate form apply the same bounds.
 */

/** The longest an old value may keep working after a rotation. */
export const MAX_OVERLAP_SECONDS = 30 * 86_400;
/** With retire=on_first_use and no overlapSeconds: the latest the old value retires if the new one is unused. */
export const DEFAULT_FIRST_USE_OVERLAP_SECONDS = 86_400;

/** Whether `at` (epoch ms) may be a retire=at time at `nowMs`: after now, within the longest overlap. */
export function retireAtAllowed(at: number, nowMs: number): boolean {
  return Number.isFinite(at) && at > nowMs && at <= nowMs + MAX_OVERLAP_SECONDS * 1000;
}
