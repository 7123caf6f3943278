import { randomBytes } from 'node:crypto';

/** This process's identity in cross-instance messages, so it can ignore its own. */
export const instanceId = randomBytes(8).toString('hex');

/** The PostgreSQL LISTEN/NOTIFY channel carrying cache invalidations between instances. */
export const INVALIDATION_CHANNEL = 'latchkey_invalidation';
