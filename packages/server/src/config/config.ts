import { readFileSync } from 'node:fs';
import Type, { type Static } from 'typebox';
import { Value } from 'typebox/value';
import { buildCatalog, PERMISSION_PATTERN, RESOURCE_PATTERN, type PermissionCatalog } from '../domain/permissions.js';

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
    logLevel: Type.Optional(Type.Union([Type.Literal('fatal'), Type.Literal('error'), Type.Literal('warn'), Type.Literal('info'), Type.Literal('debug'), Type.Literal('trace'), Type.Literal('silent')])),
    verifyLogLevel: Type.Optional(Type.Union([Type.Literal('fatal'), Type.Literal('error'), Type.Literal('warn'), Type.Literal('info'), Type.Literal('debug'), Type.Literal('trace'), Type.Literal('silent')])),
    trustProxy: Type.Optional(Type.Boolean()),
    sessionTtlHours: Type.Optional(Type.Integer({ minimum: 1, maximum: 24 * 90 })),
    invitationTtlHours: Type.Optional(Type.Integer({ minimum: 1, maximum: 24 * 30 })),
    loginRateLimit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000 })),
    accountLockAfter: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000 })),
    databasePoolMax: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
    smtpUrl: Type.Optional(Type.String({ pattern: '^smtps?://' })),
    mailFrom: Type.Optional(Type.String({ minLength: 3, maxLength: 200 })),
    verifyFailureLimit: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000_000 })),
    platformResources: Type.Optional(Type.Array(Type.String({ pattern: RESOURCE_PATTERN.source }), { maxItems: 200 })),
    publicSafePermissions: Type.Optional(Type.Array(Type.String({ pattern: PERMISSION_PATTERN.source }), { maxItems: 400 })),
    invitationsPerInviterPerHour: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000 })),
    invitationsPerOrgPerDay: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000 })),
  },
  { additionalProperties: false },
);
type FileConfig = Static<typeof FileSchema>;

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

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
  trustProxy: boolean;
  sessionTtlHours: number;
  invitationTtlHours: number;
  /** Sign-in, setup and invitation attempts allowed per client address per minute. */
  loginRateLimit: number;
  /** Failed sign-ins on one account within 15 minutes before it is locked for the rest of them. */
  accountLockAfter: number;
  /** PostgreSQL connections per instance. */
  databasePoolMax: number;
  /** SMTP server for invitation e-mails (smtp[s]://user:pass@host:port); links are only shown without it. */
  smtpUrl: string | undefined;
  mailFrom: string;
  /** token_invalid answers per client address per minute before it is served from the cache only (0 = off). */
  verifyFailureLimit: number;
  catalog: PermissionCatalog;
  /** Cookies get `Secure` and the `__Host-` prefix when the public URL is https. */
  secureCookies: boolean;
  /** Invitations one person (or token) may send per hour, across orgs. */
  invitationsPerInviterPerHour: number;
  /** Invitations one org may send per day. */
  invitationsPerOrgPerDay: number;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

const ENV_KEYS: Record<string, keyof FileConfig> = {
  PORT: 'port',
  HOST: 'host',
  DATABASE_URL: 'databaseUrl',
  REDIS_URL: 'redisUrl',
  LATCHKEY_PUBLIC_URL: 'publicUrl',
  LATCHKEY_VERIFY_SECRET: 'verifySecret',
  LATCHKEY_TOKEN_PREFIX: 'tokenPrefix',
  LOG_LEVEL: 'logLevel',
  LATCHKEY_VERIFY_LOG_LEVEL: 'verifyLogLevel',
  LATCHKEY_TRUST_PROXY: 'trustProxy',
  LATCHKEY_SESSION_TTL_HOURS: 'sessionTtlHours',
  LATCHKEY_INVITATION_TTL_HOURS: 'invitationTtlHours',
  LATCHKEY_LOGIN_RATE_LIMIT: 'loginRateLimit',
  LATCHKEY_ACCOUNT_LOCK_AFTER: 'accountLockAfter',
  LATCHKEY_DB_POOL_MAX: 'databasePoolMax',
  LATCHKEY_VERIFY_FAILURE_LIMIT: 'verifyFailureLimit',
  SMTP_URL: 'smtpUrl',
  LATCHKEY_MAIL_FROM: 'mailFrom',
  LATCHKEY_PLATFORM_RESOURCES: 'platformResources',
  LATCHKEY_PUBLIC_SAFE_PERMISSIONS: 'publicSafePermissions',
  LATCHKEY_INVITATIONS_PER_INVITER_PER_HOUR: 'invitationsPerInviterPerHour',
  LATCHKEY_INVITATIONS_PER_ORG_PER_DAY: 'invitationsPerOrgPerDay',
};

/** Builds the configuration from `env` (and the file it names), or throws ConfigError listing every problem. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
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
  for (const [name, key] of Object.entries(ENV_KEYS)) {
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    merged[key] = fromEnv(key, raw);
  }
  for (const error of Value.Errors(FileSchema, merged)) {
    const key = error.instancePath.split('/')[1] ?? '';
    const envName = Object.entries(ENV_KEYS).find(([, k]) => k === key)?.[0];
    problems.push(`${envName ?? key ?? 'config'} (${key}${error.instancePath.split('/').slice(2).map((p) => `[${p}]`).join('')}): ${error.message}`);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  const c = merged as FileConfig;

  const port = c.port ?? 8080;
  const host = c.host ?? '127.0.0.1';
  const publicUrl = (c.publicUrl ?? `http://${host.includes(':') ? `[${host}]` : host}:${port}`).replace(/\/+$/, '');
  try {
    const u = new URL(publicUrl);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') problems.push('LATCHKEY_PUBLIC_URL: must be an http(s) URL');
  } catch {
    problems.push(`LATCHKEY_PUBLIC_URL: "${publicUrl}" is not a URL`);
  }
  const databaseUrl = c.databaseUrl ?? 'sqlite:./data/latchkey.db';
  if (!/^(sqlite:|postgres:\/\/|postgresql:\/\/)/.test(databaseUrl)) {
    problems.push('DATABASE_URL: must start with sqlite: (e.g. sqlite:./data/latchkey.db) or postgres://');
  }
  const platformResources = c.platformResources ?? [...DEFAULT_PLATFORM_RESOURCES];
  const publicSafe = c.publicSafePermissions ?? [...DEFAULT_PUBLIC_SAFE];
  const catalog = buildCatalog(platformResources, publicSafe);
  for (const p of publicSafe) {
    const resource = p.slice(0, p.indexOf(':'));
    if (!catalog.platformResources.includes(resource)) {
      problems.push(`LATCHKEY_PUBLIC_SAFE_PERMISSIONS: "${p}" is not a platform permission (Latchkey's own resources are never public-safe)`);
    }
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
    trustProxy: c.trustProxy ?? false,
    sessionTtlHours: c.sessionTtlHours ?? 24 * 7,
    invitationTtlHours: c.invitationTtlHours ?? 24 * 7,
    loginRateLimit: c.loginRateLimit ?? 20,
    accountLockAfter: c.accountLockAfter ?? 10,
    databasePoolMax: c.databasePoolMax ?? 10,
    verifyFailureLimit: c.verifyFailureLimit ?? 600,
    smtpUrl: c.smtpUrl,
    mailFrom: c.mailFrom ?? `Latchkey <no-reply@${new URL(publicUrl).hostname}>`,
    catalog,
    secureCookies: publicUrl.startsWith('https://'),
    invitationsPerInviterPerHour: c.invitationsPerInviterPerHour ?? 20,
    invitationsPerOrgPerDay: c.invitationsPerOrgPerDay ?? 100,
  };
}

function fromEnv(key: keyof FileConfig, raw: string): unknown {
  switch (key) {
    case 'port':
    case 'sessionTtlHours':
    case 'invitationTtlHours':
    case 'loginRateLimit':
    case 'accountLockAfter':
    case 'databasePoolMax':
    case 'verifyFailureLimit':
    case 'invitationsPerInviterPerHour':
    case 'invitationsPerOrgPerDay':
      return /^\d+$/.test(raw) ? Number(raw) : raw;
    case 'trustProxy':
      return raw === 'true' || raw === '1' ? true : raw === 'false' || raw === '0' ? false : raw;
    case 'platformResources':
    case 'publicSafePermissions':
      return raw.split(',').map((s) => s.trim()).filter(Boolean);
    default:
      return raw;
  }
}
