/** Removes token values from a URL before it is logged (`?bearer_token=…` is how browsers send them). */
export function redactUrl(url: string): string {
  return url.replace(/([?&](?:bearer_token|token)=)[^&#]*/gi, '$1[REDACTED]');
}

/** Paths pino must never print: credentials in headers and bodies. */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-latchkey-verify-secret"]',
  'req.headers["x-csrf-token"]',
  'res.headers["set-cookie"]',
  '*.password',
  '*.token',
  '*.value',
];
