import type { FileConfig } from './config.js';

/**
 * Every setting, declared once: its environment variable, its default as the README shows it and its
 * meaning. The loader maps environment variables through this table (config.ts), `latchkey serve --help`
 * lists it, and the README's configuration table is generated from it (`npm run docs:config`; a test
 * fails when the README differs). The key type makes a setting without a row a compile error.
 */
export interface SettingDoc {
  env: string;
  /** As shown to people (markdown); the value itself is set in loadConfig. */
  default: string;
  /** One line (markdown). */
  doc: string;
}

export const SETTINGS: Record<keyof FileConfig, SettingDoc> = {
  port: {
    env: 'PORT',
    default: '`8080`',
    doc: 'listening port',
  },
  host: {
    env: 'HOST',
    default: '`127.0.0.1`',
    doc: 'listening address',
  },
  databaseUrl: {
    env: 'DATABASE_URL',
    default: '`sqlite:./data/latchkey.db`',
    doc: '`sqlite:<path>` or `postgres://…`',
  },
  redisUrl: {
    env: 'REDIS_URL',
    default: '–',
    doc: 'optional: sign-in and invalid-token limits shared by all instances (the workers of one server share them through their primary without it)',
  },
  publicUrl: {
    env: 'LATCHKEY_PUBLIC_URL',
    default: '`http://HOST:PORT`',
    doc: 'base of links (setup, invitations); `https://` turns on `Secure` + `__Host-` cookies',
  },
  verifySecret: {
    env: 'LATCHKEY_VERIFY_SECRET',
    default: '–',
    doc: 'when set, `POST /api/v1/verify` and `/api/v1/forward-auth` require it in `x-latchkey-verify-secret` (the shipped proxy configs send it)',
  },
  tokenPrefix: {
    env: 'LATCHKEY_TOKEN_PREFIX',
    default: '–',
    doc: 'per-deployment prefix in front of `lk_pub_`/`lk_prv_` (e.g. `acme_`), for secret scanning',
  },
  secretScanningKeys: {
    env: 'LATCHKEY_SECRET_SCANNING_KEYS',
    default: '–',
    doc: 'turns on the secret-scanning receiver `POST /api/v1/secret-scanning`: the ECDSA P-256 public keys scanners sign with, as JSON (`{"<key id>": "<PEM>"}`, or GitHub\'s key list as `https://api.github.com/meta/public_keys/secret_scanning` answers it) or the path of a file holding it ([docs/secret-scanning.md](docs/secret-scanning.md))',
  },
  platformResources: {
    env: 'LATCHKEY_PLATFORM_RESOURCES',
    default: '`assets,configurations,orders,customers,renders,jobs,apps,webhooks`',
    doc: "your platform's resources (comma-separated)",
  },
  publicSafePermissions: {
    env: 'LATCHKEY_PUBLIC_SAFE_PERMISSIONS',
    default: '`assets:view,configurations:view,renders:view`',
    doc: 'platform permissions a public token may carry',
  },
  smtpUrl: {
    env: 'SMTP_URL',
    default: '–',
    doc: '`smtp[s]://user:pass@host:port`: invitation links go to the invited address only (without it they are shown to the inviter, who vouches for the address); password-reset links are e-mailed',
  },
  mailFrom: {
    env: 'LATCHKEY_MAIL_FROM',
    default: '`Latchkey <no-reply@HOST>`',
    doc: 'sender of invitation and password-reset e-mails',
  },
  sessionTtlHours: {
    env: 'LATCHKEY_SESSION_TTL_HOURS',
    default: '`168`',
    doc: 'console session lifetime (sliding)',
  },
  invitationTtlHours: {
    env: 'LATCHKEY_INVITATION_TTL_HOURS',
    default: '`168`',
    doc: 'invitation link lifetime',
  },
  tokenUnusedDays: {
    env: 'LATCHKEY_TOKEN_UNUSED_DAYS',
    default: '`90`',
    doc: 'the token hygiene report (`GET /orgs/{org}/tokens/report`) calls a token unused, or never used, after this many days without a verification (1 to 3650; `?unusedDays=` overrides it per report)',
  },
  tokenRotateDays: {
    env: 'LATCHKEY_TOKEN_ROTATE_DAYS',
    default: '`365`',
    doc: 'the token hygiene report suggests rotating a private value older than this many days (1 to 3650)',
  },
  loginRateLimit: {
    env: 'LATCHKEY_LOGIN_RATE_LIMIT',
    default: '`20`',
    doc: 'sign-in / setup / invitation / password-reset requests per client address per `LATCHKEY_LOGIN_RATE_WINDOW_SECONDS` (each route)',
  },
  loginRateWindowSeconds: {
    env: 'LATCHKEY_LOGIN_RATE_WINDOW_SECONDS',
    default: '`60`',
    doc: 'the window of `LATCHKEY_LOGIN_RATE_LIMIT` (1 to 86400); its `429`s carry `Retry-After` up to the window',
  },
  trustProxy: {
    env: 'LATCHKEY_TRUST_PROXY',
    default: '`false`',
    doc: "whose `X-Forwarded-For` to believe: the proxies' addresses/CIDRs (`127.0.0.1`, `10.0.0.0/8`; keywords `loopback`, `private`, `linklocal`; comma-separated) or a hop count (`1`); the client is the right-most address not trusted. `true` is refused ([trust model](docs/security.md#client-address-trusted-proxies-only-right-most-untrusted))",
  },
  verifyFailureLimit: {
    env: 'LATCHKEY_VERIFY_FAILURE_LIMIT',
    default: '`600`',
    doc: 'invalid tokens per client address per `LATCHKEY_VERIFY_FAILURE_WINDOW_SECONDS` (verify, forward-auth, management-API bearer tokens) before that address is cut off from the database for values that cannot be tokens, and from legacy values (0 = off); every row of a real token import counts as one (raise it for a large migration)',
  },
  verifyFailureWindowSeconds: {
    env: 'LATCHKEY_VERIFY_FAILURE_WINDOW_SECONDS',
    default: '`60`',
    doc: 'the window of `LATCHKEY_VERIFY_FAILURE_LIMIT` (1 to 86400): a limited address stays cut off until its window ends, and its `429 rate_limited` says when in `Retry-After`',
  },
  verifyCacheEntries: {
    env: 'LATCHKEY_VERIFY_CACHE_ENTRIES',
    default: '`100000`',
    doc: 'known tokens the verify cache keeps (1 to 10,000,000; least recently used dropped first): size it to the tokens in active use, since every miss is a database lookup. About 700 bytes of heap per cached, verified token (64 of them reserved per slot at start-up; `node --expose-gc bench/cache-memory.mjs --tokens 100000`); a server with a million tokens cached was 1.2 GiB resident under load ([bench/RESULTS.md](bench/RESULTS.md))',
  },
  verifyCacheTtlSeconds: {
    env: 'LATCHKEY_VERIFY_CACHE_TTL_SECONDS',
    default: '`300`',
    doc: 'how long a cached token is answered before it is read from the database again (1 to 86400). Not how fast a revocation or any other change takes effect: changes reach every cache at once through invalidation events; this bounds what a lost event could cost. With many tokens in use, a token used less often than this is a database lookup every time: raise it with the cache size',
  },
  usageFlushSeconds: {
    env: 'LATCHKEY_USAGE_FLUSH_SECONDS',
    default: '`10`',
    doc: 'how often each process writes the usage it aggregated (last used, uses per day; also on shutdown): one row per distinct token used since the last write, so with many tokens in use a longer interval writes far fewer rows (1 to 3600; usage shows up this late)',
  },
  usageRetentionDays: {
    env: 'LATCHKEY_USAGE_RETENTION_DAYS',
    default: '`90`',
    doc: 'days of per-token usage kept — successes and refusals per day and code, the origins and addresses a token was used from (7 to 3650); older days are deleted once a day by the usage flush ([docs/verification.md](docs/verification.md#usage-analytics))',
  },
  webhooksAllowInsecure: {
    env: 'LATCHKEY_WEBHOOKS_ALLOW_INSECURE',
    default: '`false`',
    doc: '`true` lets webhook endpoints be `http://` and loopback or private addresses (tests, internal networks); link-local and cloud-metadata addresses are refused regardless ([docs/webhooks.md](docs/webhooks.md))',
  },
  webhookTimeoutSeconds: {
    env: 'LATCHKEY_WEBHOOK_TIMEOUT_SECONDS',
    default: '`10`',
    doc: 'time limit of one webhook attempt, connection to answer (1 to 60)',
  },
  webhookConcurrency: {
    env: 'LATCHKEY_WEBHOOK_CONCURRENCY',
    default: '`8`',
    doc: 'webhook deliveries in flight at once per process (1 to 100)',
  },
  webhooksDisableAfterDays: {
    env: 'LATCHKEY_WEBHOOKS_DISABLE_AFTER_DAYS',
    default: '`5`',
    doc: "a webhook endpoint whose deliveries fail this many days on end is disabled; a `webhook_endpoint.disabled` event and an e-mail to the org's Owners say so (1 to 30)",
  },
  expiryNoticeDays: {
    env: 'LATCHKEY_EXPIRY_NOTICE_DAYS',
    default: '`30,7,1`',
    doc: "days before a token's expiry its notices go out — a `token.expiring` webhook and an e-mail to the org's Owners and the service account's contact address — each once; `token.expired` follows at expiry",
  },
  verifyLogLevel: {
    env: 'LATCHKEY_VERIFY_LOG_LEVEL',
    default: '`warn`',
    doc: 'log level of the verify and forward-auth routes (per-request lines there cost more than the check); `info` or more verbose also turns off the hot entry in front of Fastify ([docs/verification.md](docs/verification.md#the-hot-entry-in-front-of-fastify))',
  },
  databasePoolMax: {
    env: 'LATCHKEY_DB_POOL_MAX',
    default: '`10`',
    doc: 'PostgreSQL connections per instance (plus one for LISTEN)',
  },
  invitationsPerInviterPerHour: {
    env: 'LATCHKEY_INVITATIONS_PER_INVITER_PER_HOUR',
    default: '`20`',
    doc: 'invitations one person (or token) may send an hour, across orgs; then `429 rate_limited`',
  },
  invitationsPerOrgPerDay: {
    env: 'LATCHKEY_INVITATIONS_PER_ORG_PER_DAY',
    default: '`100`',
    doc: 'invitations one org may send a day, whoever sends them (shared through Redis when `REDIS_URL` is set)',
  },
  logLevel: {
    env: 'LOG_LEVEL',
    default: '`info`',
    doc: 'pino level; logs are JSON with credentials redacted',
  },
  consoleDir: {
    env: 'LATCHKEY_CONSOLE_DIR',
    default: "the console workspace's `dist/`",
    doc: 'where the built console is served from (a packaged deployment may put it elsewhere)',
  },
  workers: {
    env: 'LATCHKEY_WORKERS',
    default: '`1`',
    doc: 'processes serving HTTP on the one port (`latchkey serve --workers N` wins over it): `1`–`256`, or `auto` (one per CPU); 1 is a single process with no cluster at all. See [Workers](#workers-every-core)',
  },
  signInAddressLimit: {
    env: 'LATCHKEY_SIGNIN_ADDRESS_LIMIT',
    default: '`10`',
    doc: 'failed credential checks (sign-in, password change, setup) on one account from one address per `LATCHKEY_SIGNIN_WINDOW_SECONDS`; then that address is refused for that account (`429`, `Retry-After`) until the window ends',
  },
  signInSlowdownAfter: {
    env: 'LATCHKEY_SIGNIN_SLOWDOWN_AFTER',
    default: '`20`',
    doc: 'failed credential checks on one account (all addresses) per `LATCHKEY_SIGNIN_WINDOW_SECONDS` after which addresses that have not signed in to it within 30 days share one attempt per `LATCHKEY_SIGNIN_SLOWDOWN_SECONDS`; accounts are never locked',
  },
  signInSlowdownSeconds: {
    env: 'LATCHKEY_SIGNIN_SLOWDOWN_SECONDS',
    default: '`5`',
    doc: 'the pace of that slow-down',
  },
  signInWindowSeconds: {
    env: 'LATCHKEY_SIGNIN_WINDOW_SECONDS',
    default: '`900`',
    doc: 'the fixed window the sign-in limits count in (1 to 86400; 900 is 15 minutes)',
  },
  sessionMaxHours: {
    env: 'LATCHKEY_SESSION_MAX_HOURS',
    default: '`720`',
    doc: 'absolute console session lifetime from sign-in, however active (at least `LATCHKEY_SESSION_TTL_HOURS`)',
  },
};

/** The README's configuration table, from SETTINGS. */
export function settingsTable(): string {
  const rows = Object.values(SETTINGS).map((s) => `| \`${s.env}\` | ${s.default} | ${s.doc} |`);
  return ['| variable | default | meaning |', '| --- | --- | --- |', ...rows].join('\n');
}

/** The settings as plain text for `latchkey serve --help`: name, default, meaning (markdown stripped). */
export function settingsHelp(): string {
  const plain = (text: string) => text.replace(/`/g, '').replace(/\[([^\]]+)\]\([^)]*\)/g, '$1');
  return Object.values(SETTINGS)
    .map((s) => `  ${s.env}  (default ${plain(s.default)})\n      ${plain(s.doc)}`)
    .join('\n');
}
