export { VERIFY_CODES, type VerifyCode } from './codes.js';
export type { TokenIdentity } from './identity.js';
export {
  normalizeAllowedOrigin,
  normalizeAllowlist,
  originAllowed,
  parseRequestOrigin,
  requestOrigin,
  type OriginCheck,
  type OriginErrorCode,
} from './origins.js';
export {
  extractToken,
  headerFromRaw,
  originFromHeaders,
  queryTokens,
  type TokenSource,
} from './request-credentials.js';
export { PREFLIGHT_ALLOW_HEADERS, preflightAnswer } from './cors.js';
