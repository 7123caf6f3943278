import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import inject from 'light-my-request';
import pino from 'pino';
import { Writable } from 'node:stream';
import { loadConfig, type Config } from '../../src/config/config.js';
import { createLogger } from '../../src/logger.js';
import { createLatchkey, type Latchkey, type LatchkeyOptions } from '../../src/server.js';
import { createTestDatabase } from './database.js';
import type { Clock } from '../../src/services/context.js';

export const PASSWORD = 'correct horse battery staple';

/** A settable clock for expiry tests. */
export function testClock(start = new Date()): Clock & { set(d: Date): void; advance(ms: number): void } {
  let now = start.getTime();
  return { now: () => new Date(now), set: (d) => (now = d.getTime()), advance: (ms) => (now += ms) };
}

export interface TestInstance extends Latchkey {
  config: Config;
  /** Every log line the instance wrote, for the no-secrets-in-logs checks. */
  logs: string[];
}

/** A fresh Latchkey on its own in-memory SQLite database, logging into memory. */
export async function startInstance(
  env: Record<string, string> = {},
  opts: LatchkeyOptions = {},
): Promise<TestInstance> {
  const database = await createTestDatabase();
  // Limits meant for attackers are raised out of the way; the tests of those limits set their own.
  const limits = {
    LATCHKEY_INVITATIONS_PER_INVITER_PER_HOUR: '100000',
    LATCHKEY_INVITATIONS_PER_ORG_PER_DAY: '100000',
  };
  const config = loadConfig({
    DATABASE_URL: database.url,
    LOG_LEVEL: 'info',
    LATCHKEY_LOGIN_RATE_LIMIT: '100000',
    LATCHKEY_SIGNIN_ADDRESS_LIMIT: '100000',
    LATCHKEY_SIGNIN_SLOWDOWN_AFTER: '100000',
    LATCHKEY_DB_POOL_MAX: '4',
    ...limits,
    ...env,
  });
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      logs.push(chunk.toString('utf8'));
      cb();
    },
  });
  const logger = createLogger(config.logLevel, sink as unknown as pino.DestinationStream);
  // Usage is flushed only when a test asks (lk.usage.flush()): a timer flush mid-test would change
  // last-used fields under the feet of tests that compare snapshots.
  // Webhook jobs likewise run when a test asks (lk.webhooks.dispatcher.runOnce(), notices.sweep()).
  const lk = await createLatchkey(config, logger, {
    usageFlushMs: 3_600_000,
    ...opts,
    webhooks: { timers: false, ...opts.webhooks },
  });
  routeInjectThroughServerEntry(lk);
  const close = lk.close.bind(lk);
  return Object.assign(lk, {
    config,
    logs,
    async close() {
      await close();
      await database.drop();
    },
  });
}

export interface Caller {
  /** Authorization header or session cookies + CSRF token. */
  headers: Record<string, string>;
}

export interface Org {
  id: string;
  slug: string;
  ownerId: string;
  ownerEmail: string;
  /** Private token of the `admin` service account (Admin role). */
  adminToken: string;
  admin: Caller;
}

let counter = 0;
export function uniqueSlug(prefix = 'org'): string {
  counter += 1;
  return `${prefix}-${process.pid}-${counter}`;
}

/** Creates an org with its owner and an admin service-account token, as `latchkey bootstrap --admin-token` does. */
export async function createOrg(lk: Latchkey, slug = uniqueSlug()): Promise<Org> {
  const email = `owner@${slug}.test`;
  const r = await lk.services.setup.bootstrap({ slug, email, password: PASSWORD, adminToken: true });
  if (!r.token) throw new Error('bootstrap returned no token');
  return {
    id: r.org.id,
    slug: r.org.slug,
    ownerId: r.user.id,
    ownerEmail: email,
    adminToken: r.token,
    admin: bearer(r.token),
  };
}

export function bearer(token: string): Caller {
  return { headers: { authorization: `Bearer ${token}` } };
}

/** Signs in through the API and returns a caller carrying the session and CSRF cookies and header. */
export async function login(lk: Latchkey, email: string, password = PASSWORD): Promise<Caller> {
  const res = await lk.app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { email, password },
  });
  if (res.statusCode !== 200) throw new Error(`login failed: ${res.statusCode} ${res.body}`);
  const cookies = res.cookies.map((c) => `${c.name}=${c.value}`).join('; ');
  const csrfToken = (res.json() as { csrfToken: string }).csrfToken;
  return { headers: { cookie: cookies, 'x-csrf-token': csrfToken } };
}

export async function call(
  lk: Latchkey,
  caller: Caller | null,
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE' | 'PUT',
  url: string,
  payload?: unknown,
): Promise<LightMyRequestResponse> {
  return lk.app.inject({
    method,
    url,
    headers: caller?.headers ?? {},
    ...(payload === undefined ? {} : { payload: payload as object }),
  });
}

/**
 * Adds a member with the given built-in role through the invitation flow (no SMTP: the inviter gets the link;
 * the newcomer accepts without a session, signs in, and accepts with the session — as the console does, so an
 * existing account, whose password is PASSWORD too, joins as well); returns their id and a session.
 */
export async function addMember(
  lk: Latchkey,
  org: Org,
  email: string,
  roleName = 'Viewer',
): Promise<{ userId: string; caller: Caller }> {
  const roles = (await call(lk, org.admin, 'GET', `/api/v1/orgs/${org.slug}/roles`)).json() as {
    items: { id: string; name: string }[];
  };
  const role = roles.items.find((r) => r.name === roleName);
  if (!role) throw new Error(`no role ${roleName}`);
  const owner = await login(lk, org.ownerEmail);
  const inv = await call(lk, owner, 'POST', `/api/v1/orgs/${org.slug}/invitations`, {
    email,
    roleId: role.id,
  });
  if (inv.statusCode !== 201) throw new Error(`invite failed: ${inv.body}`);
  const { token } = inv.json() as { token: string };
  const acc = await lk.app.inject({
    method: 'POST',
    url: '/api/v1/invitations/accept',
    payload: { token, name: email.split('@')[0], password: PASSWORD },
  });
  if (acc.statusCode !== 202) throw new Error(`accept failed: ${acc.body}`);
  const caller = await login(lk, email);
  const joined = await call(lk, caller, 'POST', '/api/v1/invitations/accept', { token });
  if (joined.statusCode !== 200) throw new Error(`accept with the session failed: ${joined.body}`);
  const me = await call(lk, caller, 'GET', '/api/v1/me');
  return { userId: (me.json() as { user: { id: string } }).user.id, caller };
}

export async function roleId(lk: Latchkey, org: Org, name: string): Promise<string> {
  const roles = (await call(lk, org.admin, 'GET', `/api/v1/orgs/${org.slug}/roles`)).json() as {
    items: { id: string; name: string }[];
  };
  const role = roles.items.find((r) => r.name === name);
  if (!role) throw new Error(`no role ${name}`);
  return role.id;
}

export async function createServiceAccount(
  lk: Latchkey,
  org: Org,
  name: string,
  extra: Record<string, unknown> = {},
): Promise<{ id: string; name: string }> {
  const res = await call(lk, org.admin, 'POST', `/api/v1/orgs/${org.slug}/service-accounts`, {
    name,
    ...extra,
  });
  if (res.statusCode !== 201) throw new Error(`create SA failed: ${res.body}`);
  return res.json();
}

/** Default names differ: one owner's live tokens may not share a name. */
let unnamedTokens = 0;

export async function createToken(
  lk: Latchkey,
  org: Org,
  body: Record<string, unknown>,
): Promise<{
  token: string;
  item: { id: string; hint: string; type: string; effectivePermissions: string[] };
}> {
  const res = await call(lk, org.admin, 'POST', `/api/v1/orgs/${org.slug}/tokens`, {
    name: `a token ${++unnamedTokens}`,
    type: 'private',
    ...body,
  });
  if (res.statusCode !== 201) throw new Error(`create token failed: ${res.body}`);
  return res.json();
}

export async function verify(
  lk: Latchkey,
  body: { token: string; origin?: string | null; permission?: string },
) {
  const res = await lk.app.inject({ method: 'POST', url: '/api/v1/verify', payload: body });
  if (res.statusCode !== 200) throw new Error(`verify failed: ${res.body}`);
  return res.json() as {
    valid: boolean;
    code: string;
    tokenId: string | null;
    owner: { type: string; id: string } | null;
    permissions: string[];
  };
}

export function errorCode(res: LightMyRequestResponse): string | undefined {
  try {
    return (res.json() as { error?: { code?: string } }).error?.code;
  } catch {
    return undefined;
  }
}

/**
 * `app.inject` normally enters Fastify's router directly, which would skip the hot path in front of it
 * (src/http/hot-handler.ts). Tests go through what the HTTP server calls instead, so every HTTP test
 * covers the entry real clients use. LATCHKEY_TEST_ENTRY=fastify keeps Fastify's own entry: the
 * `fastify-entry` vitest project reruns the verification tests that way, so both entries are held to
 * the same assertions while they coexist.
 */
const fastifyEntries = new WeakMap<Latchkey, (opts: InjectOptions) => Promise<LightMyRequestResponse>>();

/** Fastify's own entry (its router, without the hot path in front), for the parity tests. */
export function injectIntoFastify(lk: Latchkey, opts: InjectOptions): Promise<LightMyRequestResponse> {
  const entry = fastifyEntries.get(lk);
  if (!entry) throw new Error('not a test instance');
  return entry(opts);
}

export function routeInjectThroughServerEntry(lk: Latchkey): void {
  const app = lk.app;
  const original = app.inject.bind(app) as (opts: InjectOptions) => Promise<LightMyRequestResponse>;
  fastifyEntries.set(lk, original);
  if (process.env.LATCHKEY_TEST_ENTRY === 'fastify') return;
  const entry = (opts: InjectOptions | string) =>
    inject((req, res) => {
      app.ready().then(
        () => app.httpHandler(req, res),
        (err: unknown) => res.emit('error', err),
      );
    }, opts);
  (app as { inject: unknown }).inject = entry;
}
