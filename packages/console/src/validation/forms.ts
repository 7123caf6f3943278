import { normalizeAllowedOrigin } from '@latchkey/protocol';
import { checkOrgName } from '@latchkey/server/domain/org-name';
import { checkServiceAccountName } from '@latchkey/server/domain/service-account-name';
import { MAX_OVERLAP_SECONDS, retireAtAllowed } from '@latchkey/server/domain/token-rotation';

/**
 * Form rules, checked as you type. They are the server's own rule functions (imported from its domain
 * module), so the console can never accept what the server refuses — the server checks again anyway.
 */
export const SERVICE_ACCOUNT_NAME_HINT =
  'Letters, digits, "-" and "_" only — no spaces or special characters.';

export function serviceAccountNameError(name: string): string | null {
  if (name.length === 0) return 'A name is required.';
  const check = checkServiceAccountName(name);
  return check.ok ? null : check.message;
}

/** Org names: one line, no control, invisible or text-direction characters (the server's rule). */
export function orgNameError(name: string): string | null {
  if (name.trim().length === 0) return 'A name is required.';
  const check = checkOrgName(name);
  return check.ok ? null : check.message;
}

export function domainError(entry: string): string | null {
  const check = domainEntry(entry);
  return check.ok ? null : check.message;
}

/** Host names that are this machine: plain http is fine there (local development). */
const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/i;

export type DomainEntry =
  { ok: true; origin: string; warning: string | null } | { ok: false; message: string };

/**
 * One domain as it is typed into a token's allowlist: the origin it stands for (scheme added, case folded,
 * default port dropped: the form the server stores), a warning for plain http beyond this machine, or why it
 * cannot be one. A path is refused, not dropped: someone who types https://shop.example.com/checkout may
 * believe the token works only there, and it would work on every page of the origin.
 */
export function domainEntry(entry: string): DomainEntry {
  const check = normalizeAllowedOrigin(entry);
  if (!check.ok) return { ok: false, message: check.message };
  const raw = entry.trim();
  const rest = raw.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '');
  const slash = rest.search(/[/?#]/);
  const path = slash === -1 ? '' : rest.slice(slash);
  if (path !== '' && path !== '/') {
    return {
      ok: false,
      message: `A domain is an origin only, without a path: "${path.length > 40 ? `${path.slice(0, 40)}…` : path}" would not limit the token to that page. Enter ${check.origin}.`,
    };
  }
  const url = new URL(check.origin);
  const warning =
    url.protocol === 'http:' && !LOOPBACK.test(url.hostname)
      ? `${check.origin} is plain http: the token and the page's traffic travel unencrypted. Use https:// outside local development.`
      : null;
  return { ok: true, origin: check.origin, warning };
}

export interface TokenFormValues {
  name: string;
  serviceAccountId: string | null;
  type: 'public' | 'private';
  domains: string[];
  allowedIps: string[];
  enforcement: 'enforce' | 'report_only';
  rateLimits: { name: string; limit: number; windowSeconds: number }[];
  quota: { limit: number; refill: { interval: 'day' | 'month'; amount: number } | null } | null;
  permissions: string[];
  expiresAt: string;
}

export const SERVICE_ACCOUNT_REQUIRED =
  'A token must belong to a service account: choose one. Create one under Members → Service Accounts if there is none.';

/** Every problem with the Add Token form, by field; empty when it may be submitted. */
export function tokenFormErrors(
  v: TokenFormValues,
  now = new Date(),
): Partial<Record<keyof TokenFormValues, string>> {
  const errors: Partial<Record<keyof TokenFormValues, string>> = {};
  if (v.name.trim().length === 0) errors.name = 'A name is required.';
  if (!v.serviceAccountId) errors.serviceAccountId = SERVICE_ACCOUNT_REQUIRED;
  if (v.type === 'public') {
    const entries = v.domains.map((d) => d.trim()).filter(Boolean);
    if (entries.length === 0)
      errors.domains = 'A public token needs at least one domain, e.g. https://shop.example.com.';
    else {
      const bad = entries.map(domainError).find((e) => e !== null);
      if (bad) errors.domains = bad;
    }
  }
  if (v.expiresAt) {
    const problem = expiryError(v.expiresAt, now);
    if (problem) errors.expiresAt = problem;
  }
  return errors;
}

/** A new expiry (a datetime-local value): required, and in the future. */
export function expiryError(value: string, now = new Date()): string | null {
  if (!value) return 'Choose when it expires.';
  const at = new Date(value).getTime();
  if (Number.isNaN(at)) return 'Not a date.';
  return at <= now.getTime() ? 'The expiry must be in the future.' : null;
}

/** The permissions a token may be given: what its service account's role holds, public-safe only for public tokens. */
export function grantablePermissions(
  rolePermissions: readonly string[],
  type: 'public' | 'private',
  publicSafe: readonly string[],
): string[] {
  const safe = new Set(publicSafe);
  return rolePermissions.filter((p) => type === 'private' || safe.has(p));
}

/** A moment as a datetime-local input's value (local time, to the minute). */
export function localDateTimeInput(d: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** Rotate → "at a time": the server's bounds (after now, at most MAX_OVERLAP_SECONDS ahead). */
export function retireAtError(value: string, now = new Date()): string | null {
  if (!value) return 'Choose when the old value retires.';
  const at = new Date(value).getTime();
  if (Number.isNaN(at)) return 'Not a date.';
  return retireAtAllowed(at, now.getTime())
    ? null
    : `Choose a time in the future, at most ${MAX_OVERLAP_SECONDS / 86_400} days from now.`;
}

/**
 * A webhook endpoint's URL, as far as the console can tell: a whole http(s) URL. Whether http:// or an
 * internal address is allowed is the deployment's setting, which only the server knows: it says so.
 */
export function webhookUrlError(value: string): string | null {
  const url = value.trim();
  if (!url) return 'A URL is required.';
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'Enter the whole URL, e.g. https://hooks.example.com/latchkey.';
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return 'The URL must start with https://.';
  if (parsed.username || parsed.password) return 'The URL must not contain a user name or password.';
  if (parsed.hash) return 'The URL must not have a #fragment.';
  return null;
}
