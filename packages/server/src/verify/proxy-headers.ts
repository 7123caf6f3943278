/**
 * The trust boundary of forward-auth (SPEC §7, docs/security.md "Trust model"). A reverse proxy tells
 * Latchkey about the request it is checking through a few headers. A client can send any of those names
 * too, so each is believed only because every documented proxy configuration sets or clears it:
 *
 * | proxy   | original method        | original URI              | who overwrites                       |
 * | ------- | ---------------------- | ------------------------- | ------------------------------------ |
 * | nginx   | X-Original-Method      | X-Original-URI            | forward-auth-common.conf sets both,  |
 * |         |                        |                           | clears X-Forwarded-Method/-Uri       |
 * | Traefik | X-Forwarded-Method     | X-Forwarded-Uri           | Traefik (trustForwardHeader: false); |
 * |         |                        |                           | authRequestHeaders: no X-Original-*  |
 * | Caddy   | X-Forwarded-Method     | X-Forwarded-Uri           | forward_auth itself; the Caddyfile   |
 * |         |                        |                           | deletes X-Original-*                 |
 * | Envoy   | the check's own method | its path after the prefix | Envoy builds the request line        |
 *
 * Whatever the configuration, a value is used only where every header of its kind that is present
 * agrees: a client adding `X-Forwarded-Method: OPTIONS` next to a proxy's `X-Original-Method: GET` makes
 * the method unknown (no CORS preflight), and a second, different URI makes the token ambiguous
 * (token_invalid). `X-Forwarded-For` is read by Fastify (`LATCHKEY_TRUST_PROXY`) and believed only from
 * the trusted hops.
 *
 * Tests generate one hostile case per header from PROXY_HEADERS, so a header read here and not listed
 * there cannot exist: read them through `fromProxy` only.
 */
export const PROXY_HEADERS = [
  { name: 'x-original-method', carries: 'method' },
  { name: 'x-forwarded-method', carries: 'method' },
  { name: 'x-original-uri', carries: 'uri' },
  { name: 'x-forwarded-uri', carries: 'uri' },
  { name: 'x-forwarded-for', carries: 'client-address' },
] as const;

export type ProxyHeader = (typeof PROXY_HEADERS)[number];
export type ProxyHeaderKind = ProxyHeader['carries'];

/** The X-Latchkey-* headers forward-auth answers with (the proxy copies them to the upstream on 200). */
export const IDENTITY_HEADERS = [
  'x-latchkey-org',
  'x-latchkey-org-slug',
  'x-latchkey-token-id',
  'x-latchkey-token-type',
  'x-latchkey-service-account',
  'x-latchkey-user',
  'x-latchkey-permissions',
] as const;

/** The header a proxy sends the shared secret in (LATCHKEY_VERIFY_SECRET), on /verify and forward-auth. */
export const VERIFY_SECRET_HEADER = 'x-latchkey-verify-secret';

/**
 * Every X-Latchkey-* name Latchkey sends or reads: the shipped snippets keep all of them from reaching the
 * upstream with a client's value (and the secret from reaching it at all).
 */
export const LATCHKEY_HEADERS = [
  ...IDENTITY_HEADERS,
  'x-latchkey-code',
  'x-latchkey-error',
  VERIFY_SECRET_HEADER,
] as const;

/** `undefined`: no header of this kind; `null`: they disagree (or one came twice); else the agreed value. */
export type ProxyValue = string | null | undefined;

type Headers = Record<string, string | string[] | undefined>;

/**
 * The value of one kind (`method` or `uri`) the proxy vouches for: every listed header of that kind that
 * is present and non-empty must carry the same value (methods compared case-insensitively).
 */
export function fromProxy(headers: Headers, kind: 'method' | 'uri'): ProxyValue {
  let agreed: string | undefined;
  for (const h of PROXY_HEADERS) {
    if (h.carries !== kind) continue;
    const raw = headers[h.name];
    if (raw === undefined || raw === '') continue;
    if (Array.isArray(raw)) return null;
    const value = kind === 'method' ? raw.toUpperCase() : raw;
    if (agreed === undefined) agreed = value;
    else if (agreed !== value) return null;
  }
  return agreed;
}
