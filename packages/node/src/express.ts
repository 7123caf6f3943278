import type { LatchkeyIdentity } from './decision.js';
import { createGuard, type GuardOptions, type RequestLike } from './guard.js';

/** The few members of Express's request/response the middleware uses (no hard dependency on express). */
interface ExpressRequest extends RequestLike {
  originalUrl?: string;
  latchkey?: LatchkeyIdentity | null;
}
interface ExpressResponse {
  status(code: number): ExpressResponse;
  set(headers: Record<string, string>): ExpressResponse;
  json(body: unknown): unknown;
  end(): unknown;
}
type Next = (err?: unknown) => void;

/**
 * Express middleware: `app.use('/api', latchkeyExpress({ source, permission: 'assets:view' }))`.
 * Allowed requests get `req.latchkey`; denials answer with the verifier's status and code.
 */
export function latchkeyExpress(options: GuardOptions) {
  const guard = createGuard(options);
  return (req: ExpressRequest, res: ExpressResponse, next: Next): void => {
    guard({
      method: req.method,
      url: req.originalUrl ?? req.url,
      headers: req.headers,
      rawHeaders: req.rawHeaders,
      ...(req.ip !== undefined ? { ip: req.ip } : {}),
    }).then(
      (outcome) => {
        res.set(outcome.headers);
        if (outcome.kind === 'preflight') return void res.status(outcome.status).end();
        if (outcome.kind === 'deny') return void res.status(outcome.status).json(outcome.body);
        req.latchkey = outcome.identity;
        next();
      },
      (err: unknown) => next(err),
    );
  };
}
