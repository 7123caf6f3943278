import { randomBase62 } from '../domain/base62.js';
import { hashToken } from '../domain/token-format.js';
import type { UserRecord } from '../store/queries/users.js';
import { iso, type ServiceDeps } from './context.js';
import { BASE62_CHAR } from '../domain/base62-alphabet.js';

const SESSION_VALUE = new RegExp(`^${BASE62_CHAR}{43}$`);

/**
 * Console sessions: an opaque random cookie value; only its SHA-256 is stored, so a database
 * leak yields no usable session. Sliding expiry, refreshed at most once a minute, and never past an
 * absolute maximum from sign-in (`sessionMaxHours`): a stolen cookie that is kept busy still dies.
 */
export function sessionService(deps: ServiceDeps) {
  const { store, clock, config } = deps;
  const ttlMs = config.sessionTtlHours * 3_600_000;
  const maxMs = config.sessionMaxHours * 3_600_000;
  /** The sliding expiry from `now`, capped at the session's absolute end. */
  const expiry = (createdAt: Date, now: Date) =>
    new Date(Math.min(now.getTime() + ttlMs, createdAt.getTime() + maxMs));

  return {
    async create(userId: string): Promise<string> {
      const value = randomBase62(43);
      const now = clock.now();
      await store.sessions.insert({
        idHash: hashToken(value),
        userId,
        createdAt: iso(now),
        lastSeenAt: iso(now),
        expiresAt: iso(expiry(now, now)),
      });
      return value;
    },

    /** `undefined` for an unknown or expired session. */
    async resolve(value: string): Promise<UserRecord | undefined> {
      if (!SESSION_VALUE.test(value)) return undefined;
      const idHash = hashToken(value);
      const session = await store.sessions.find(idHash);
      const now = clock.now();
      if (!session || session.expiresAt <= iso(now)) return undefined;
      const createdAt = new Date(session.createdAt);
      // Checked here too, not only through expiresAt: sessions issued before the maximum existed have none.
      if (now.getTime() >= createdAt.getTime() + maxMs) return undefined;
      if (now.getTime() - new Date(session.lastSeenAt).getTime() > 60_000) {
        await store.sessions.touch(idHash, iso(now), iso(expiry(createdAt, now)));
      }
      return store.users.findById(session.userId);
    },

    async destroy(value: string): Promise<void> {
      await store.sessions.delete(hashToken(value));
    },
  };
}
