/**
 * What changed, in terms the verification cache understands. Published after the change commits;
 * the cache drops every entry the event could affect. A later transport (PostgreSQL LISTEN/NOTIFY)
 * carries the same events between instances.
 *
 * A domain type, not the verifier's: services emit it, the store sends it in its transactional NOTIFY and
 * the cache applies it, so it lives where every layer may import it (the store never imports verify).
 */
export type InvalidationEvent =
  | { kind: 'token'; tokenId: string; hash: string; imported?: boolean }
  | { kind: 'service_account'; serviceAccountId: string }
  | { kind: 'role'; roleId: string }
  | { kind: 'member'; orgId: string; userId: string }
  | { kind: 'org'; orgId: string }
  /** Drop everything (e.g. the cross-instance feed was interrupted). */
  | { kind: 'all' };
