import type { Verifier } from '@latchkey/server';
import { limitRetryAfter, type Decision, type DecisionLimits, type DecisionSource } from './decision.js';

/**
 * The entry point `@latchkey/node/embedded`, apart from the main one: only a platform that runs Latchkey in
 * its own process (`@latchkey/server`, an optional peer dependency) imports it; the remote middleware never
 * needs the server, its native modules or a database driver.
 */

/** Decides with the server's own verifier, in the same process (Latchkey embedded in the platform API). */
export function fromVerifier(verifier: Verifier): DecisionSource {
  return {
    async decide(input): Promise<Decision> {
      const r = await verifier.verify(input);
      const limits: DecisionLimits = {
        ...(r.rateLimit ? { rateLimit: r.rateLimit } : {}),
        ...(r.quota ? { quota: r.quota } : {}),
      };
      if (!r.valid) {
        const retryAfter = limitRetryAfter(r.code, limits, verifier.now());
        return { valid: false, code: r.code, ...limits, ...(retryAfter ? { retryAfter } : {}) };
      }
      return {
        valid: true,
        code: 'valid',
        ...limits,
        identity: {
          org: r.org,
          tokenId: r.tokenId,
          owner: r.owner,
          type: r.type,
          permissions: r.permissions,
          origin: r.origin,
          secret: r.secret,
          ...(r.warnings ? { warnings: [...r.warnings] } : {}),
        },
      };
    },
  };
}
