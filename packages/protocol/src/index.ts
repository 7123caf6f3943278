export { VERIFY_CODES, VERIFY_WARNINGS, type VerifyCode, type VerifyWarning } from './codes.js';
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
export { rateLimitHeaders, secondsUntil, type QuotaInfo, type RateLimitInfo } from './limits.js';
export { expandPermissions } from './permissions.js';
