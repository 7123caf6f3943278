import { randomBase62 } from '../domain/base62.js';
import { hashToken } from '../domain/token-format.js';
import type { UserRecord } from '../store/queries/users.js';
import { iso, type ServiceDeps } from './context.js';

/**
 * Console sessions: an opaque random cookie value; only its SHA-256 is stored, so a database
 * leak yields no usable session. Sliding expiry, refreshed at most once a minute.
 */
export function sessionService(deps: ServiceDeps) {
  const { store, clock, config } = deps;
  const ttlMs = config.sessionTtlHours * 3_600_000;

  return {
    async create(userId: string): Promise<string> {
      const value = randomBase62(43);
      const now = clock.now();
      await store.sessions.insert({ idHash: hashToken(value), userId, createdAt: iso(now), lastSeenAt: iso(now), expiresAt: iso(new Date(now.getTime() + ttlMs)) });
      return value;
    },

    /** `undefined` for an unknown or expired session. */
    async resolve(value: string): Promise<UserRecord | undefined> {
      if (!/^[0-9A-Za-z]{43}$/.test(value)) return undefined;
      const idHash = hashToken(value);
      const session = await store.sessions.find(idHash);
      const now = clock.now();
      if (!session || session.expiresAt <= iso(now)) return undefined;
      if (now.getTime() - new Date(session.lastSeenAt).getTime() > 60_000) {
        await store.sessions.touch(idHash, iso(now), iso(new Date(now.getTime() + ttlMs)));
      }
      return store.users.findById(session.userId);
    },

    async destroy(value: string): Promise<void> {
      await store.sessions.delete(hashToken(value));
    },
  };
}
