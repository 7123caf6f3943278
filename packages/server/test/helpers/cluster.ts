import { runCli, startServer, type Server } from './process.js';

export { waitUntil } from './wait.js';

export interface Cluster {
  instances: Server[];
  token: string;
  org: string;
  stop(): Promise<void>;
}

/** Bootstraps an org on `databaseUrl`, then starts `n` Latchkey processes on it at the same time. */
export async function startCluster(databaseUrl: string, n: number): Promise<Cluster> {
  // Usage flushed every second: the usage test waits for the instances' timed flushes.
  const env = { DATABASE_URL: databaseUrl, LATCHKEY_DB_POOL_MAX: '4', LATCHKEY_USAGE_FLUSH_SECONDS: '1' };
  const boot = await runCli(
    ['bootstrap', '--org', 'cluster', '--email', 'owner@cluster.test', '--password-stdin', '--admin-token'],
    env,
    'cluster password 1',
  );
  if (boot.code !== 0) throw new Error(boot.stderr);
  const instances = await Promise.all(Array.from({ length: n }, () => startServer(env)));
  return {
    instances,
    token: (JSON.parse(boot.stdout) as { token: string }).token,
    org: 'cluster',
    async stop() {
      await Promise.all(instances.map((i) => i.stop()));
    },
  };
}

export async function api<T>(
  server: Server,
  token: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: T }> {
  const res = await fetch(`${server.url}/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
}

export async function verifyOn(
  server: Server,
  token: string,
): Promise<{ status: number; code: string | undefined }> {
  const res = await fetch(`${server.url}/api/v1/verify`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ token }),
  });
  const body = (await res.json().catch(() => ({}))) as { code?: string; error?: { code: string } };
  return { status: res.status, code: body.code ?? body.error?.code };
}
