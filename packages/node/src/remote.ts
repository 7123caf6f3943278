import { createHash } from 'node:crypto';
import { createLatchkeyClient, type Answer } from '@latchkey/api-client';
import type { Decision, DecisionSource, DenialCode, VerifyInput } from './decision.js';
import {
  DENIAL_MESSAGES,
  LatchkeyRefusedError,
  LatchkeyUnavailableError,
  limitRetryAfter,
  type DecisionLimits,
} from './decision.js';

export interface RemoteOptions {
  /** Base URL of a Latchkey server, e.g. http://127.0.0.1:8080 */
  url: string;
  /** Sent as x-latchkey-verify-secret when the server requires it. */
  verifySecret?: string;
  /**
   * How long an *allow* is reused locally. Denials are never cached, nor are the answers for tokens with
   * rate limits or a quota (each use must be counted), and a revocation reaches this process within this
   * bound. Default 1000 ms; 0 disables the cache.
   */
  cacheTtlMs?: number;
  cacheMaxEntries?: number;
  timeoutMs?: number;
  /**
   * Seconds a `rate_limited` denial tells the client to wait when Latchkey answers 429 without a usable
   * Retry-After (Latchkey sends one; a proxy in between may drop it). Default 60, Latchkey's default
   * invalid-token window (LATCHKEY_VERIFY_FAILURE_WINDOW_SECONDS).
   */
  defaultRetryAfterSeconds?: number;
  /** Milliseconds since the epoch, for the cache (tests pass their own clock). Default Date.now. */
  now?: () => number;
}

/** The verify answer as the API contract (@latchkey/api-client, generated from the OpenAPI document) has it. */
type VerifyAnswer = Answer<'/api/v1/verify', 'post'>;

/** Retry-After as delta-seconds (the only form Latchkey sends), bounded to an hour; else `fallback`. */
function retryAfterSeconds(header: string | null, fallback: number): number {
  if (header === null || !/^\d{1,5}$/.test(header.trim())) return fallback;
  return Math.min(Number(header.trim()), 3600);
}

/** The contract's types say what a 200 carries; this checks that what came is one (a server is not trusted). */
function isVerifyAnswer(body: unknown): body is VerifyAnswer {
  const b = body as Partial<VerifyAnswer> | null;
  return (
    typeof b === 'object' &&
    b !== null &&
    typeof b.valid === 'boolean' &&
    typeof b.code === 'string' &&
    Array.isArray(b.permissions)
  );
}

/**
 * Decides through a Latchkey server's `POST /api/v1/verify`, with a short local cache of allows. The call
 * goes through the generated API client (@latchkey/api-client): its path, request body and answer are the
 * OpenAPI document's, so a change to the verify schema breaks this file's compilation, not a deployment.
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
  const fallbackRetryAfter = options.defaultRetryAfterSeconds ?? 60;
  const now = options.now ?? Date.now;
  const cache = new Map<string, { until: number; decision: Decision }>();
  const refused = (status: number) =>
    new LatchkeyRefusedError(`Latchkey at ${base} answered ${status}; check url and verifySecret`, status);

  /**
   * Only a 200 is read. Any other answer is decided by its status (and Retry-After) alone, so its body is
   * dropped unread: a slow or cut body must not turn "Latchkey said no" into "Latchkey is unavailable",
   * which `failOpen` would admit. Redirects are never followed (`redirect: 'manual'`; Node's fetch hands
   * the 3xx back as it is).
   */
  async function send(request: Request): Promise<Response> {
    const res = await fetch(request);
    if (res.status === 200) return res;
    await res.body?.cancel();
    // A browser-style opaque redirect has status 0, which no Response can be built with.
    if (res.type === 'opaqueredirect') throw refused(res.status);
    return new Response(null, { status: res.status, statusText: res.statusText, headers: res.headers });
  }
  const api = createLatchkeyClient({
    baseUrl: base,
    fetch: send,
    redirect: 'manual',
    ...(options.verifySecret ? { headers: { 'x-latchkey-verify-secret': options.verifySecret } } : {}),
  });

  return {
    async decide(input: VerifyInput): Promise<Decision> {
      if (input.token === undefined || input.token === '') return { valid: false, code: 'token_missing' };
      // Keyed by a hash: the raw value never sits in a long-lived structure.
      const key =
        ttl > 0
          ? createHash('sha256')
              .update(`${input.token}\n${input.origin ?? ''}\n${input.permission ?? ''}\n${input.ip ?? ''}`)
              .digest('base64')
          : '';
      if (ttl > 0) {
        const hit = cache.get(key);
        if (hit && hit.until > now()) return hit.decision;
        if (hit) cache.delete(key);
      }
      let answer: { status: number; retryAfter: string | null; body: unknown };
      try {
        // The 200 body is read in here: a connection cut (or the timeout) mid-body is a network failure too.
        const { data, response } = await api.POST('/api/v1/verify', {
          body: {
            token: input.token,
            origin: input.origin,
            ...(input.permission ? { permission: input.permission } : {}),
            ...(input.ip ? { ip: input.ip } : {}),
            ...(input.cost !== undefined ? { cost: input.cost } : {}),
          },
          signal: AbortSignal.timeout(timeoutMs),
        });
        answer = { status: response.status, retryAfter: response.headers.get('retry-after'), body: data };
      } catch (cause) {
        if (cause instanceof LatchkeyRefusedError) throw cause;
        // A 200 whose body is not JSON (openapi-fetch's JSON.parse throws): Latchkey answered, not with a decision.
        if (!(cause instanceof SyntaxError))
          throw new LatchkeyUnavailableError(`Latchkey at ${base} is unreachable`, { cause });
        answer = { status: 200, retryAfter: null, body: undefined };
      }
      const { status, body } = answer;
      if (status >= 500) throw new LatchkeyUnavailableError(`Latchkey at ${base} answered ${status}`);
      if (status === 429) {
        return {
          valid: false,
          code: 'rate_limited',
          retryAfter: retryAfterSeconds(answer.retryAfter, fallbackRetryAfter),
        };
      }
      if (status !== 200) throw refused(status);
      if (!isVerifyAnswer(body)) {
        throw new LatchkeyRefusedError(`Latchkey at ${base} answered 200 without a verify result`, status);
      }
      const limits: DecisionLimits = {
        ...(body.rateLimit ? { rateLimit: body.rateLimit } : {}),
        ...(body.quota ? { quota: body.quota } : {}),
      };
      const denial: DenialCode = Object.hasOwn(DENIAL_MESSAGES, body.code)
        ? (body.code as DenialCode)
        : 'token_invalid';
      const retryAfter = limitRetryAfter(denial, limits, now());
      const decision: Decision =
        body.valid && body.org && body.tokenId && body.owner && body.type
          ? {
              valid: true,
              code: 'valid',
              ...limits,
              identity: {
                org: body.org,
                tokenId: body.tokenId,
                owner: body.owner,
                type: body.type,
                permissions: body.permissions,
                origin: body.type === 'public' ? input.origin : null,
                // A server before rotation existed does not say: its tokens have one value.
                secret: body.secret ?? 'current',
                ...(body.warnings ? { warnings: body.warnings } : {}),
              },
            }
          : // A code this version does not know (a newer server) is still a denial.
            { valid: false, code: denial, ...limits, ...(retryAfter ? { retryAfter } : {}) };
      // A token with limits is asked about every time: an allow reused here would not be counted.
      if (ttl > 0 && decision.valid && !limits.rateLimit && !limits.quota) {
        if (cache.size >= max) cache.delete(cache.keys().next().value as string);
        cache.set(key, { until: now() + ttl, decision });
      }
      return decision;
    },
  };
}
