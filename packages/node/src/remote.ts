import { createHash } from 'node:crypto';
import type { Decision, DecisionSource, DenialCode, VerifyInput } from './decision.js';
import { DENIAL_MESSAGES, LatchkeyRefusedError, LatchkeyUnavailableError } from './decision.js';

export interface RemoteOptions {
  /** Base URL of a Latchkey server, e.g. http://127.0.0.1:8080 */
  url: string;
  /** Sent as x-latchkey-verify-secret when the server requires it. */
  verifySecret?: string;
  /**
   * How long an *allow* is reused locally. Denials are never cached, and a revocation reaches this
   * process within this bound. Default 1000 ms; 0 disables the cache.
   */
  cacheTtlMs?: number;
  cacheMaxEntries?: number;
  timeoutMs?: number;
  /** Milliseconds since the epoch, for the cache (tests pass their own clock). Default Date.now. */
  now?: () => number;
}

interface WireResponse {
  valid: boolean;
  code: string;
  org: { id: string; slug: string } | null;
  tokenId: string | null;
  owner: { type: 'service_account' | 'user'; id: string; name: string } | null;
  type: 'public' | 'private' | null;
  permissions: string[];
}

/** Used when Latchkey answers 429 without a usable Retry-After: its failure window is one minute. */
const DEFAULT_RETRY_AFTER_S = 60;

/** Retry-After as delta-seconds (the only form Latchkey sends), bounded to an hour; else the default. */
function retryAfterSeconds(header: string | null): number {
  if (header === null || !/^\d{1,5}$/.test(header.trim())) return DEFAULT_RETRY_AFTER_S;
  return Math.min(Number(header.trim()), 3600);
}

function parseJson(text: string | undefined): unknown {
  try {
    return text === undefined ? undefined : (JSON.parse(text) as unknown);
  } catch {
    return undefined;
  }
}

function isWireResponse(body: unknown): body is WireResponse {
  const b = body as Partial<WireResponse> | null;
  return (
    typeof b === 'object' &&
    b !== null &&
    typeof b.valid === 'boolean' &&
    typeof b.code === 'string' &&
    Array.isArray(b.permissions)
  );
}

/**
 * Decides through a Latchkey server's `POST /api/v1/verify`, with a short local cache of allows.
 *
 * What an answer means (SPEC §7: a decision only from what Latchkey vouches for):
 * - 200 with a verify body: the decision.
 * - 429: a denial, `rate_limited`, with Latchkey's Retry-After. Latchkey is up and declines to look the
 *   token up — treating that as "unavailable" would let `failOpen` admit any garbage token.
 * - network error, timeout, 5xx: `LatchkeyUnavailableError` (the only case `failOpen` may admit).
 * - anything else (other 4xx, a redirect — never followed, the token would go along —, a 200 that is not
 *   a verify answer): `LatchkeyRefusedError`, which the guard always refuses.
 */
export function remoteVerifier(options: RemoteOptions): DecisionSource {
  const base = options.url.replace(/\/+$/, '');
  const ttl = options.cacheTtlMs ?? 1000;
  const max = options.cacheMaxEntries ?? 10_000;
  const timeoutMs = options.timeoutMs ?? 2000;
  const now = options.now ?? Date.now;
  const cache = new Map<string, { until: number; decision: Decision }>();

  return {
    async decide(input: VerifyInput): Promise<Decision> {
      if (input.token === undefined || input.token === '') return { valid: false, code: 'token_missing' };
      // Keyed by a hash: the raw value never sits in a long-lived structure.
      const key =
        ttl > 0
          ? createHash('sha256')
              .update(`${input.token}\n${input.origin ?? ''}\n${input.permission ?? ''}`)
              .digest('base64')
          : '';
      if (ttl > 0) {
        const hit = cache.get(key);
        if (hit && hit.until > now()) return hit.decision;
        if (hit) cache.delete(key);
      }
      let res: Response;
      let text: string | undefined;
      try {
        res = await fetch(`${base}/api/v1/verify`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            ...(options.verifySecret ? { 'x-latchkey-verify-secret': options.verifySecret } : {}),
          },
          body: JSON.stringify({
            token: input.token,
            origin: input.origin,
            ...(input.permission ? { permission: input.permission } : {}),
          }),
          redirect: 'manual',
          signal: AbortSignal.timeout(timeoutMs),
        });
        // Read inside the try: a connection cut (or the timeout) mid-body is a network failure too.
        if (res.status === 200) text = await res.text();
        else await res.body?.cancel();
      } catch (cause) {
        throw new LatchkeyUnavailableError(`Latchkey at ${base} is unreachable`, { cause });
      }
      if (res.status >= 500) throw new LatchkeyUnavailableError(`Latchkey at ${base} answered ${res.status}`);
      if (res.status === 429) {
        return {
          valid: false,
          code: 'rate_limited',
          retryAfter: retryAfterSeconds(res.headers.get('retry-after')),
        };
      }
      if (res.status !== 200) {
        throw new LatchkeyRefusedError(
          `Latchkey at ${base} answered ${res.status}; check url and verifySecret`,
          res.status,
        );
      }
      const body = parseJson(text);
      if (!isWireResponse(body)) {
        throw new LatchkeyRefusedError(
          `Latchkey at ${base} answered 200 without a verify result`,
          res.status,
        );
      }
      const decision: Decision =
        body.valid && body.org && body.tokenId && body.owner && body.type
          ? {
              valid: true,
              code: 'valid',
              identity: {
                org: body.org,
                tokenId: body.tokenId,
                owner: body.owner,
                type: body.type,
                permissions: body.permissions,
                origin: body.type === 'public' ? input.origin : null,
              },
            }
          : // A code this version does not know (a newer server) is still a denial.
            {
              valid: false,
              code: Object.hasOwn(DENIAL_MESSAGES, body.code) ? (body.code as DenialCode) : 'token_invalid',
            };
      if (ttl > 0 && decision.valid) {
        if (cache.size >= max) cache.delete(cache.keys().next().value as string);
        cache.set(key, { until: now() + ttl, decision });
      }
      return decision;
    },
  };
}
