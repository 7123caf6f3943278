import type { Config } from '../config/config.js';
import type { AppError } from '../domain/errors.js';
import type { InvitationLimits } from './invitation-limits.js';
import type { Mailer } from './mailer.js';
import type { Permission } from '../domain/permissions.js';
import type { OrgRecord } from '../store/queries/orgs.js';
import { ConflictError } from '../store/conflict.js';
import type { Store } from '../store/store.js';
import type { InvalidationEvent } from '../domain/invalidation-event.js';
import type { InvalidationBus } from '../verify/invalidation.js';
import { EventRecorder, groupOf } from './events.js';

/** Who is acting: a console user, a private token (automation), or the operator's CLI on the host. */
export interface Actor {
  type: 'user' | 'token' | 'system';
  /** usr_… for a user, tok_… for a token, null for the system. */
  id: string | null;
  /** A human-readable label for the audit log (email, or "token <name> of <service account>"). */
  label: string;
  /** The user behind a session (also set for user-owned legacy tokens). */
  userId: string | null;
  ip: string | null;
  /**
   * A token that authenticated with the value its last rotation replaced (still verifying until it
   * retires): it may not change its own token (guards.ts assertNotReplacedValue).
   */
  replacedValue?: boolean;
}

/** An actor inside one org, with the permissions they hold there. */
export interface OrgScope {
  org: OrgRecord;
  actor: Actor;
  permissions: readonly Permission[];
}

export interface Clock {
  now(): Date;
}
export const systemClock: Clock = { now: () => new Date() };

export interface ServiceDeps {
  store: Store;
  config: Config;
  clock: Clock;
  bus: InvalidationBus;
  /** Sends invitation e-mails when SMTP is configured. */
  mailer?: Mailer | null;
  /** How many invitations an inviter and an org may send (services/invitation-limits.ts). */
  invitationLimits: InvitationLimits;
}

export const iso = (d: Date) => d.toISOString();

/**
 * Runs one change in one transaction. The change records what happened as domain events
 * (services/events.ts): their audit entries are written in the transaction, and the invalidations they
 * imply are sent only after the commit, so no cache can re-learn the old state.
 */
export async function inTransaction<T>(
  deps: ServiceDeps,
  fn: (tx: Store, events: EventRecorder) => Promise<T>,
  /** Join a transaction the caller already holds (its commit is then the caller's). */
  outer?: Store,
): Promise<T> {
  // Joining: the outermost change publishes everything after its own commit (a cache that heard of a
  // change before the commit could re-learn the old state).
  const joined = outer === undefined ? undefined : pendingInvalidations.get(outer);
  let invalidations: InvalidationEvent[] = [];
  // A change joining a bulk change adds its audit entries to the bulk change's one entry.
  const group = outer === undefined ? undefined : groupOf(outer);
  const result = await (outer ?? deps.store).transaction(async (tx) => {
    const events = new EventRecorder(tx, group);
    if (joined !== undefined) {
      const r = await fn(tx, events);
      await tx.notifyInvalidation(events.invalidations);
      joined.push(...events.invalidations);
      return r;
    }
    const pending: InvalidationEvent[] = [];
    pendingInvalidations.set(tx, pending);
    try {
      const r = await fn(tx, events);
      // Other instances hear of the change exactly when it commits (NOTIFY is transactional).
      await tx.notifyInvalidation(events.invalidations);
      invalidations = [...pending, ...events.invalidations];
      return r;
    } finally {
      pendingInvalidations.delete(tx);
    }
  });
  if (joined === undefined && invalidations.length > 0) deps.bus.publish(invalidations);
  return result;
}

/** The invalidations of changes that joined an open transaction, published when it commits. */
const pendingInvalidations = new WeakMap<Store, InvalidationEvent[]>();

/**
 * Runs a write and says what a unique conflict means for this use case: the store's ConflictError
 * (store/conflict.ts, either dialect) becomes `error()`; anything else passes through.
 */
export async function onConflict<T>(write: Promise<T>, error: () => AppError): Promise<T> {
  try {
    return await write;
  } catch (e) {
    if (e instanceof ConflictError) throw error();
    throw e;
  }
}
