import { createHash } from 'node:crypto';
import type { Decision, DecisionSource, VerifyInput } from './decision.js';
import { LatchkeyUnavailableError } from './decision.js';

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

/** Decides through a Latchkey server's `POST /api/v1/verify`, with a short local cache of allows. */
export function remoteVerifier(options: RemoteOptions): DecisionSource {
  const base = options.url.replace(/\/+$/, '');
  const ttl = options.cacheTtlMs ?? 1000;
  const max = options.cacheMaxEntries ?? 10_000;
  const timeoutMs = options.timeoutMs ?? 2000;
  const cache = new Map<string, { until: number; decision: Decision }>();

  return {
    async decide(input: VerifyInput): Promise<Decision> {
      if (input.token === undefined || input.token === '') return { valid: false, code: 'token_missing' };
      // Keyed by a hash: the raw value never sits in a long-lived structure.
      const key = ttl > 0 ? createHash('sha256').update(`${input.token}\n${input.origin ?? ''}\n${input.permission ?? ''}`).digest('base64') : '';
      if (ttl > 0) {
        const hit = cache.get(key);
        if (hit && hit.until > Date.now()) return hit.decision;
        if (hit) cache.delete(key);
      }
      let res: Response;
      try {
        res = await fetch(`${base}/api/v1/verify`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(options.verifySecret ? { 'x-latchkey-verify-secret': options.verifySecret } : {}) },
          body: JSON.stringify({ token: input.token, origin: input.origin, ...(input.permission ? { permission: input.permission } : {}) }),
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (cause) {
        throw new LatchkeyUnavailableError(`Latchkey at ${base} is unreachable`, { cause });
      }
      if (res.status !== 200) throw new LatchkeyUnavailableError(`Latchkey at ${base} answered ${res.status}`);
      const body = (await res.json()) as WireResponse;
      const decision: Decision =
        body.valid && body.org && body.tokenId && body.owner && body.type
          ? {
              valid: true,
              code: 'valid',
              identity: { org: body.org, tokenId: body.tokenId, owner: body.owner, type: body.type, permissions: body.permissions, origin: body.type === 'public' ? input.origin : null },
            }
          : { valid: false, code: (body.code === 'valid' ? 'token_invalid' : body.code) as Exclude<Decision['code'], 'valid'> };
      if (ttl > 0 && decision.valid) {
        if (cache.size >= max) cache.delete(cache.keys().next().value as string);
        cache.set(key, { until: Date.now() + ttl, decision });
      }
      return decision;
    },
  };
}
