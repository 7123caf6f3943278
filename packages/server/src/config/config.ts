import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { availableParallelism } from 'node:os';
import Type, { type Static } from 'typebox';
import { Value } from 'typebox/value';
import {
  buildCatalog,
  isLatchkeyResource,
  PERMISSION_PATTERN,
  RESOURCE_PATTERN,
  type PermissionCatalog,
} from '../domain/permissions.js';
import { parseScannerKeys, type ScannerKeys } from './secret-scanning-keys.js';
import { SETTINGS, type SettingDoc } from './settings.js';

/** pino's levels, for the server's log and the verify path's own. */
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
const LogLevelSchema = Type.Union(LOG_LEVELS.map((level) => Type.Literal(level)));

/**
 * Configuration (SPEC §6): environment variables, optionally a JSON file named by LATCHKEY_CONFIG whose
 * keys are the camelCase names below. Environment variables win over the file. Validated once at start-up;
 * any problem is reported as one readable message listing every bad setting.
 */
export const DEFAULT_PLATFORM_RESOURCES = [
  'assets',
  'configurations',
  'orders',
  'customers',
  'renders',
  'jobs',
  'apps',
  'webhooks',
] as const;
export const DEFAULT_PUBLIC_SAFE = ['assets:view', 'configurations:view', 'renders:view'] as const;

const FileSchema = Type.Object(
  {
    port: Type.Optional(Type.Integer({ minimum: 0, maximum: 65535 })),
    host: Type.Optional(Type.String({ minLength: 1 })),
    databaseUrl: Type.Optional(Type.String({ minLength: 1 })),
    redisUrl: Type.Optional(Type.String({ minLength: 1 })),
    publicUrl: Type.Optional(Type.String({ minLength: 1 })),
    verifySecret: Type.Optional(Type.String({ minLength: 16 })),
    tokenPrefix: Type.Optional(Type.String({ pattern: '^[a-z0-9]{1,16}_$' })),
    logLevel: Type.Optional(LogLevelSchema),
    verifyLogLevel: Type.Optional(LogLevelSchema),
    // false, a hop count, or proxy addresses/CIDRs/keywords (a comma-separated string or a list);
    // `true` passes the schema only to be refused with a reason (see parseTrustProxy).
    trustProxy: Type.Optional(
      Type.Union([
        Type.Boolean(),
        Type.Integer({ minimum: 0, maximum: 100 }),
        Type.String({ maxLength: 4096 }),
        Type.Array(Type.String({ maxLength: 64 }), { maxItems: 200 }),
      ]),
    ),
    sessionTtlHours: Type.Optional(Type.Integer({ minimum: 1, maximum: 24 * 90 })),
    invitationTtlHours: Type.Optional(Type.Integer({ minimum: 1, maximum: 24 * 30 })),
    tokenUnusedDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 3650 })),
    tokenRotateDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 3650 })),
    loginRateLimit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000 })),
    loginRateWindowSeconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 86_400 })),
    databasePoolMax: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
    smtpUrl: Type.Optional(Type.String({ pattern: '^smtps?://' })),
    mailFrom: Type.Optional(Type.String({ minLength: 3, maxLength: 200 })),
    verifyFailureLimit: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000_000 })),
    verifyFailureWindowSeconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 86_400 })),
    verifyCacheEntries: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000_000 })),
    verifyCacheTtlSeconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 86_400 })),
    usageFlushSeconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 3600 })),
    usageRetentionDays: Type.Optional(Type.Integer({ minimum: 7, maximum: 3650 })),
    webhooksAllowInsecure: Type.Optional(Type.Boolean()),
    webhookTimeoutSeconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 60 })),
    webhookConcurrency: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
    webhooksDisableAfterDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 30 })),
    expiryNoticeDays: Type.Optional(
      Type.Array(Type.Integer({ minimum: 1, maximum: 365 }), { maxItems: 10, uniqueItems: true }),
    ),
    consoleDir: Type.Optional(
      Type.String({ minLength: 1, maxLength: 4096, pattern: '^[^\\u0000-\\u001f]+$' }),
    ),
    platformResources: Type.Optional(
      Type.Array(Type.String({ pattern: RESOURCE_PATTERN.source }), { maxItems: 200 }),
    ),
    publicSafePermissions: Type.Optional(
      Type.Array(Type.String({ pattern: PERMISSION_PATTERN.source }), { maxItems: 400 }),
    ),
    signInAddressLimit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000 })),
    signInSlowdownAfter: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000 })),
    signInSlowdownSeconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 3600 })),
    signInWindowSeconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 86_400 })),
    sessionMaxHours: Type.Optional(Type.Integer({ minimum: 1, maximum: 24 * 365 })),
    invitationsPerInviterPerHour: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000 })),
    invitationsPerOrgPerDay: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000 })),
    // JSON (inline or a file path), or in the config file the object itself; checked by parseScannerKeys.
    secretScanningKeys: Type.Optional(
      Type.Union([Type.String({ minLength: 1, maxLength: 262_144 }), Type.Object({})]),
    ),
    // An integer 1..MAX_WORKERS or 'auto'; checked by parseWorkers for one readable message.
    workers: Type.Optional(Type.Union([Type.Number(), Type.String()])),
  },
  { additionalProperties: false },
);
export type FileConfig = Static<typeof FileSchema>;

export type LogLevel = (typeof LOG_LEVELS)[number];

export interface Config {
  port: number;
  host: string;
  databaseUrl: string;
  redisUrl: string | undefined;
  publicUrl: string;
  verifySecret: string | undefined;
  tokenPrefix: string;
  logLevel: LogLevel;
  /** Log level of the verify and forward-auth routes: per-request lines there would cost more than the check. */
  verifyLogLevel: LogLevel;
  /**
   * Whose X-Forwarded-For is believed (SPEC §7): `false` (nobody: the client address is the peer's),
   * a number of proxy hops in front of Latchkey, or the proxies' addresses/CIDRs/keywords. The client
   * address is the right-most address not trusted.
   */
  trustProxy: TrustProxy;
  sessionTtlHours: number;
  invitationTtlHours: number;
  /** The hygiene report's "unused": days without a verification (domain/token-hygiene.ts). */
  tokenUnusedDays: number;
  /** The hygiene report suggests rotating a private value older than this many days. */
  tokenRotateDays: number;
  /** Sign-in, setup and invitation attempts allowed per client address per `loginRateWindowSeconds`. */
  loginRateLimit: number;
  /** The window of `loginRateLimit`; its 429s say in Retry-After when it ends. */
  loginRateWindowSeconds: number;
  /** PostgreSQL connections per instance. */
  databasePoolMax: number;
  /** SMTP server for invitation e-mails (smtp[s]://user:pass@host:port); links are only shown without it. */
  smtpUrl: string | undefined;
  mailFrom: string;
  /**
   * token_invalid answers per client address per `verifyFailureWindowSeconds` before it is served from the
   * cache only (0 = off).
   */
  verifyFailureLimit: number;
  /** The window of `verifyFailureLimit`; a limited address is told in Retry-After when its limit ends. */
  verifyFailureWindowSeconds: number;
  /**
   * Known tokens the verify cache keeps (least recently used dropped first). Size it to the tokens in
   * active use: a miss costs a database lookup, and on SQLite those queue behind each other.
   */
  verifyCacheEntries: number;
  /**
   * How long a cached token is answered without being read again. Not how fast changes arrive: every
   * change reaches the cache at once through invalidation events. A backstop that bounds what a lost
   * event could cost, and, with many tokens in use, what makes a rarely used token a lookup each time.
   */
  verifyCacheTtlSeconds: number;
  /**
   * How often usage (last used, uses per day) aggregated in memory is written. Each flush writes one row
   * per distinct token used since the last one, so with many tokens in use a longer interval writes far
   * fewer rows (a token used a hundred times in it is written once); usage shows up to this late.
   */
  usageFlushSeconds: number;
  /** Days of per-day usage (successes, refusals by code, origins and addresses seen) kept. */
  usageRetentionDays: number;
  /** `http://` and loopback or private webhook targets allowed (tests, internal networks). */
  webhooksAllowInsecure: boolean;
  /** One webhook attempt's time limit, connection to answer. */
  webhookTimeoutSeconds: number;
  /** Webhook deliveries in flight at once, per process. */
  webhookConcurrency: number;
  /** An endpoint failing this many days on end is disabled (an event and an e-mail to Owners say so). */
  webhooksDisableAfterDays: number;
  /** Days before a token's expiry its notices go out (webhook `token.expiring`, e-mail). */
  expiryNoticeDays: number[];
  /** The built console's directory; undefined: the console workspace's dist/. */
  consoleDir: string | undefined;
  catalog: PermissionCatalog;
  /** Cookies get `Secure` and the `__Host-` prefix when the public URL is https. */
  secureCookies: boolean;
  /**
   * Failed credential checks on one account from one address within `signInWindowSeconds` before that pair
   * is refused (until the window ends, which Retry-After says).
   */
  signInAddressLimit: number;
  /**
   * Failed credential checks on one account (all addresses) within `signInWindowSeconds` after which
   * addresses that have not signed in to it recently get one attempt per `signInSlowdownSeconds` between them.
   */
  signInSlowdownAfter: number;
  signInSlowdownSeconds: number;
  /** The fixed window the sign-in limits count in (default 15 minutes). */
  signInWindowSeconds: number;
  /** Absolute session lifetime from sign-in, however active the session (the sliding TTL is within it). */
  sessionMaxHours: number;
  /** Invitations one person (or token) may send per hour, across orgs. */
  invitationsPerInviterPerHour: number;
  /** Invitations one org may send per day. */
  invitationsPerOrgPerDay: number;
  /**
   * Processes serving HTTP (`latchkey serve --workers`, LATCHKEY_WORKERS): 1 is a single process with no
   * cluster at all; more forks that many workers on one port (see src/cluster/).
   */
  workers: number;
  /**
   * The public keys secret scanners sign their reports with (docs/secret-scanning.md): key id → key. null:
   * the receiver `POST /api/v1/secret-scanning` is off and answers 404.
   */
  secretScanningKeys: ScannerKeys | null;
}

export const MAX_WORKERS = 256;

const WORKERS_PROBLEM = `LATCHKEY_WORKERS (workers, --workers): must be an integer from 1 to ${MAX_WORKERS}, or auto (one per CPU)`;

/** `auto` is one worker per CPU the process may use (capped at MAX_WORKERS). */
function parseWorkers(value: number | string | undefined, problems: string[]): number {
  if (value === undefined) return 1;
  if (value === 'auto') return Math.min(MAX_WORKERS, Math.max(1, availableParallelism()));
  if (typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= MAX_WORKERS)
    return value;
  problems.push(`${WORKERS_PROBLEM} (got ${JSON.stringify(value)})`);
  return 1;
}

export type TrustProxy = false | { hops: number } | { addresses: string[] };

/** Keywords for address ranges a proxy may be named by (proxy-addr's names, plus `private`). */
export const TRUST_PROXY_KEYWORDS = ['loopback', 'linklocal', 'uniquelocal', 'private'] as const;

const TRUST_TRUE_REFUSED =
  'LATCHKEY_TRUST_PROXY (trustProxy): `true` is refused: it believes any X-Forwarded-For header, so ' +
  'every client could choose its own address for the rate limits and the audit log. Name the proxies in ' +
  'front of Latchkey instead: their addresses or CIDRs (e.g. 127.0.0.1 or 10.0.0.0/8; keywords ' +
  'loopback, private, linklocal), or the number of proxies (e.g. 1, only if nothing but that proxy can ' +
  'reach Latchkey).';

/** One trusted-proxy entry: an IP address, an address/prefix CIDR, or a keyword. */
function trustEntryProblem(entry: string): string | null {
  if ((TRUST_PROXY_KEYWORDS as readonly string[]).includes(entry)) return null;
  const slash = entry.indexOf('/');
  const address = slash === -1 ? entry : entry.slice(0, slash);
  const family = isIP(address);
  if (family === 0) {
    return `"${entry}" is not an IP address, a CIDR or one of ${TRUST_PROXY_KEYWORDS.join(', ')}`;
  }
  if (slash !== -1) {
    const bits = entry.slice(slash + 1);
    if (!/^\d{1,3}$/.test(bits) || Number(bits) > (family === 4 ? 32 : 128)) {
      return `"${entry}" has an invalid prefix length`;
    }
  }
  return null;
}

function parseTrustProxy(value: FileConfig['trustProxy'], problems: string[]): TrustProxy {
  if (value === undefined || value === false || value === 0) return false;
  if (value === true) {
    problems.push(TRUST_TRUE_REFUSED);
    return false;
  }
  if (typeof value === 'number') return { hops: value };
  const entries = (typeof value === 'string' ? value.split(',') : value).map((e) => e.trim()).filter(Boolean);
  if (entries.length === 0) return false;
  for (const entry of entries) {
    const problem = trustEntryProblem(entry);
    if (problem) problems.push(`LATCHKEY_TRUST_PROXY (trustProxy): ${problem}`);
  }
  return { addresses: entries };
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

/** Environment variable → setting, from the one table of settings (settings.ts). */
const ENV_KEYS: Record<string, keyof FileConfig> = Object.fromEntries(
  (Object.entries(SETTINGS) as [keyof FileConfig, SettingDoc][]).map(([key, s]) => [s.env, key]),
);

/**
 * Settings that were removed, with what replaces them: refused at start-up with that message rather than
 * silently ignored (an operator who set one expects a behaviour that no longer exists).
 */
const REMOVED_SETTINGS: Record<string, { fileKey: string; message: string }> = {
  LATCHKEY_ACCOUNT_LOCK_AFTER: {
    fileKey: 'accountLockAfter',
    message:
      'removed: accounts are no longer locked after failed sign-ins (anyone could lock anyone out). Use ' +
      'LATCHKEY_SIGNIN_ADDRESS_LIMIT (per account and address) and LATCHKEY_SIGNIN_SLOWDOWN_AFTER / ' +
      'LATCHKEY_SIGNIN_SLOWDOWN_SECONDS (per account) instead; see the README configuration table',
  },
};

/** Builds the configuration from `env` (and the file it names), or throws ConfigError listing every problem. */
export function loadConfig(
  env: NodeJS.ProcessEnv = process.env,
  overrides: Record<string, string | undefined> = {},
): Config {
  // `overrides`: environment-style values from the command line (`serve --workers`), winning over `env`.
  if (Object.values(overrides).some((v) => v !== undefined)) env = { ...env, ...overrides };
  const problems: string[] = [];
  let file: Record<string, unknown> = {};
  if (env.LATCHKEY_CONFIG) {
    try {
      file = JSON.parse(readFileSync(env.LATCHKEY_CONFIG, 'utf8')) as Record<string, unknown>;
    } catch (e) {
      throw new ConfigError([`LATCHKEY_CONFIG: cannot read ${env.LATCHKEY_CONFIG}: ${(e as Error).message}`]);
    }
  }
  const merged: Record<string, unknown> = { ...file };
  for (const [name, removed] of Object.entries(REMOVED_SETTINGS)) {
    const inEnv = env[name] !== undefined && env[name] !== '';
    if (inEnv || removed.fileKey in merged)
      problems.push(`${inEnv ? name : removed.fileKey}: ${removed.message}`);
    delete merged[removed.fileKey];
  }
  for (const [name, key] of Object.entries(ENV_KEYS)) {
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    merged[key] = fromEnv(key, raw);
  }
  for (const error of Value.Errors(FileSchema, merged)) {
    const key = error.instancePath.split('/')[1] ?? '';
    const envName = Object.entries(ENV_KEYS).find(([, k]) => k === key)?.[0];
    problems.push(
      `${envName ?? key ?? 'config'} (${key}${error.instancePath
        .split('/')
        .slice(2)
        .map((p) => `[${p}]`)
        .join('')}): ${error.message}`,
    );
  }
  if (problems.length > 0) throw new ConfigError(problems);
  const c = merged as FileConfig;

  const port = c.port ?? 8080;
  const host = c.host ?? '127.0.0.1';
  const publicUrl = (c.publicUrl ?? `http://${host.includes(':') ? `[${host}]` : host}:${port}`).replace(
    /\/+$/,
    '',
  );
  try {
    const u = new URL(publicUrl);
    if (u.protocol !== 'http:' && u.protocol !== 'https:')
      problems.push('LATCHKEY_PUBLIC_URL: must be an http(s) URL');
  } catch {
    problems.push(`LATCHKEY_PUBLIC_URL: "${publicUrl}" is not a URL`);
  }
  const databaseUrl = c.databaseUrl ?? 'sqlite:./data/latchkey.db';
  if (!/^(sqlite:|postgres:\/\/|postgresql:\/\/)/.test(databaseUrl)) {
    problems.push('DATABASE_URL: must start with sqlite: (e.g. sqlite:./data/latchkey.db) or postgres://');
  }
  const trustProxy = parseTrustProxy(c.trustProxy, problems);
  const workers = parseWorkers(c.workers, problems);
  const secretScanningKeys = parseScannerKeys(c.secretScanningKeys, problems);
  const platformResources = c.platformResources ?? [...DEFAULT_PLATFORM_RESOURCES];
  const publicSafe = c.publicSafePermissions ?? [...DEFAULT_PUBLIC_SAFE];
  const catalog = buildCatalog(platformResources, publicSafe);
  for (const r of platformResources.filter(isLatchkeyResource))
    problems.push(
      `LATCHKEY_PLATFORM_RESOURCES: "${r}" is one of Latchkey's own resources; name your platform's resource differently (e.g. "platform_${r}")`,
    );
  for (const p of publicSafe) {
    const resource = p.slice(0, p.indexOf(':'));
    if (!catalog.platformResources.includes(resource)) {
      problems.push(
        `LATCHKEY_PUBLIC_SAFE_PERMISSIONS: "${p}" is not a platform permission (Latchkey's own resources are never public-safe)`,
      );
    }
  }
  const sessionTtlHours = c.sessionTtlHours ?? 24 * 7;
  const sessionMaxHours = c.sessionMaxHours ?? Math.max(24 * 30, sessionTtlHours);
  if (sessionMaxHours < sessionTtlHours) {
    problems.push(
      `LATCHKEY_SESSION_MAX_HOURS: ${sessionMaxHours} is shorter than LATCHKEY_SESSION_TTL_HOURS (${sessionTtlHours})`,
    );
  }
  if (problems.length > 0) throw new ConfigError(problems);

  return {
    port,
    host,
    databaseUrl,
    redisUrl: c.redisUrl,
    publicUrl,
    verifySecret: c.verifySecret,
    tokenPrefix: c.tokenPrefix ?? '',
    logLevel: c.logLevel ?? 'info',
    verifyLogLevel: c.verifyLogLevel ?? 'warn',
    trustProxy,
    sessionTtlHours,
    invitationTtlHours: c.invitationTtlHours ?? 24 * 7,
    tokenUnusedDays: c.tokenUnusedDays ?? 90,
    tokenRotateDays: c.tokenRotateDays ?? 365,
    loginRateLimit: c.loginRateLimit ?? 20,
    loginRateWindowSeconds: c.loginRateWindowSeconds ?? 60,
    databasePoolMax: c.databasePoolMax ?? 10,
    verifyFailureLimit: c.verifyFailureLimit ?? 600,
    verifyFailureWindowSeconds: c.verifyFailureWindowSeconds ?? 60,
    verifyCacheEntries: c.verifyCacheEntries ?? 100_000,
    verifyCacheTtlSeconds: c.verifyCacheTtlSeconds ?? 300,
    usageFlushSeconds: c.usageFlushSeconds ?? 10,
    usageRetentionDays: c.usageRetentionDays ?? 90,
    webhooksAllowInsecure: c.webhooksAllowInsecure ?? false,
    webhookTimeoutSeconds: c.webhookTimeoutSeconds ?? 10,
    webhookConcurrency: c.webhookConcurrency ?? 8,
    webhooksDisableAfterDays: c.webhooksDisableAfterDays ?? 5,
    expiryNoticeDays: c.expiryNoticeDays ?? [30, 7, 1],
    consoleDir: c.consoleDir,
    smtpUrl: c.smtpUrl,
    mailFrom: c.mailFrom ?? `Latchkey <no-reply@${new URL(publicUrl).hostname}>`,
    catalog,
    secureCookies: publicUrl.startsWith('https://'),
    signInAddressLimit: c.signInAddressLimit ?? 10,
    signInSlowdownAfter: c.signInSlowdownAfter ?? 20,
    signInSlowdownSeconds: c.signInSlowdownSeconds ?? 5,
    signInWindowSeconds: c.signInWindowSeconds ?? 15 * 60,
    sessionMaxHours,
    invitationsPerInviterPerHour: c.invitationsPerInviterPerHour ?? 20,
    invitationsPerOrgPerDay: c.invitationsPerOrgPerDay ?? 100,
    workers,
    secretScanningKeys,
  };
}

function fromEnv(key: keyof FileConfig, raw: string): unknown {
  switch (key) {
    case 'port':
    case 'sessionTtlHours':
    case 'invitationTtlHours':
    case 'tokenUnusedDays':
    case 'tokenRotateDays':
    case 'loginRateLimit':
    case 'loginRateWindowSeconds':
    case 'signInAddressLimit':
    case 'signInSlowdownAfter':
    case 'signInSlowdownSeconds':
    case 'signInWindowSeconds':
    case 'sessionMaxHours':
    case 'databasePoolMax':
    case 'verifyFailureLimit':
    case 'verifyFailureWindowSeconds':
    case 'verifyCacheEntries':
    case 'verifyCacheTtlSeconds':
    case 'usageFlushSeconds':
    case 'usageRetentionDays':
    case 'invitationsPerInviterPerHour':
    case 'invitationsPerOrgPerDay':
    case 'workers':
    case 'webhookTimeoutSeconds':
    case 'webhookConcurrency':
    case 'webhooksDisableAfterDays':
      return /^\d+$/.test(raw) ? Number(raw) : raw;
    case 'webhooksAllowInsecure':
      return raw === 'true' ? true : raw === 'false' ? false : raw;
    case 'expiryNoticeDays':
      return raw
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
        .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
    case 'trustProxy':
      // `true` is kept so that it can be refused with its reason; a number is a hop count.
      return raw === 'true' ? true : raw === 'false' ? false : /^\d+$/.test(raw) ? Number(raw) : raw;
    case 'platformResources':
    case 'publicSafePermissions':
      return raw
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
    default:
      return raw;
  }
}
