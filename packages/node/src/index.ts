export { remoteVerifier, type RemoteOptions } from './remote.js';
export { createGuard, type GuardOptions, type GuardOutcome, type RequestLike } from './guard.js';
export { latchkeyFastify } from './fastify.js';
export { latchkeyExpress } from './express.js';
export {
  LatchkeyRefusedError,
  LatchkeyUnavailableError,
  type Decision,
  type DenialCode,
  type DecisionSource,
  type LatchkeyIdentity,
  type VerifyInput,
} from './decision.js';
