import type { Redis } from 'ioredis';
import {
  RateLimiterCluster,
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
  type RateLimiterAbstract,
  type RateLimiterStoreAbstract,
} from 'rate-limiter-flexible';
import { AppError } from '../domain/errors.js';

/**
 * How many invitations may be sent, so that the deployment's own mail sender cannot be turned into a
 * relay (anyone may create an org and invite any address): per inviter per hour, and per org per day.
 * Counts are shared by every instance through Redis when it is configured; with Redis down, or without
 * it, each instance counts on its own — and the workers of one `serve --workers` count in their primary
 * (rate-limiter-flexible's cluster limiter over IPC; the primary runs RateLimiterClusterMaster).
 */
export interface InvitationLimits {
  /** Counts one invitation by `inviter` in `orgId`, or throws rate_limited (details: which limit, retry-after). */
  take(orgId: string, inviter: string): Promise<void>;
  /** Gives back what `take` counted, when the invitation was not created after all. */
  giveBack(orgId: string, inviter: string): Promise<void>;
}

export interface InvitationLimitOptions {
  perInviterPerHour: number;
  perOrgPerDay: number;
  redis?: Redis;
  /** In a `serve --workers` worker without Redis: count in the primary, so the limits hold across workers. */
  cluster?: boolean;
}

export function createInvitationLimits(o: InvitationLimitOptions): InvitationLimits {
  const limiter = (
    keyPrefix: string,
    points: number,
    duration: number,
  ): RateLimiterAbstract | RateLimiterStoreAbstract => {
    if (!o.redis && o.cluster)
      return new RateLimiterCluster({ keyPrefix, points, duration, timeoutMs: 3000 });
    const memory = new RateLimiterMemory({ keyPrefix, points, duration });
    return o.redis
      ? new RateLimiterRedis({ storeClient: o.redis, keyPrefix, points, duration, insuranceLimiter: memory })
      : memory;
  };
  const perInviter = limiter('latchkey-invitations-inviter', o.perInviterPerHour, 3600);
  const perOrg = limiter('latchkey-invitations-org', o.perOrgPerDay, 24 * 3600);

  const refused = (e: unknown, limit: 'inviter' | 'org') => {
    if (!(e instanceof RateLimiterRes)) return e;
    const retryAfterSeconds = Math.max(1, Math.ceil(e.msBeforeNext / 1000));
    const message =
      limit === 'inviter'
        ? `You may send at most ${o.perInviterPerHour} invitations an hour; try again in ${retryAfterSeconds} s.`
        : `This org may send at most ${o.perOrgPerDay} invitations a day; try again in ${retryAfterSeconds} s.`;
    return new AppError('rate_limited', message, { limit, retryAfterSeconds });
  };

  return {
    async take(orgId, inviter) {
      await perInviter.consume(inviter).catch((e: unknown) => Promise.reject(refused(e, 'inviter')));
      try {
        await perOrg.consume(orgId);
      } catch (e) {
        await perInviter.reward(inviter).catch(() => undefined);
        throw refused(e, 'org');
      }
    },
    async giveBack(orgId, inviter) {
      await Promise.all([perInviter.reward(inviter), perOrg.reward(orgId)]).catch(() => undefined);
    },
  };
}
