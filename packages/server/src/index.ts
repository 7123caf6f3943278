/** What other packages (the middleware, embedders) may use from the server. */
export { createLatchkey, type Latchkey, type LatchkeyOptions } from './server.js';
export { loadConfig, type Config } from './config/config.js';
export { createLogger } from './logger.js';
export type { Verifier, VerifyRequest, VerifyResult, VerifyIdentity } from './verify/verifier.js';
