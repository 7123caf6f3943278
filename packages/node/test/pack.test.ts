import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startServer, tempDir, type Server } from '../../server/test/helpers/process.js';

/**
 * What a platform team gets from npm: `npm pack` of @latchkey/protocol, @latchkey/api-client (the generated
 * API contract the remote verifier calls through) and @latchkey/node, installed into a fresh project from the
 * tarballs (offline), then an Express app and a Fastify app through the remote middleware against a running
 * Latchkey — the two apps of the package's README. Needs the packages built (`npm run build`), as every
 * process test.
 *
 * Offline: `npm install --offline <tarballs> express fastify` would need the registry's full metadata
 * documents, which an install from a lockfile (ours, `npm ci`) never caches. The probe project therefore
 * gets a lockfile of its own: express, fastify and openapi-fetch exactly as this repository's lockfile has
 * them (with the registry tarball URLs npm caches them under), plus the three tarballs; `npm ci --offline`
 * installs it from the npm cache alone.
 */

const ROOT = resolve(import.meta.dirname, '../../..');
const FORBIDDEN = ['@latchkey/server', 'better-sqlite3', '@node-rs/argon2', 'pg', 'kysely'];
/** Ours, packed and installed from their tarballs. */
const PACKED = ['@latchkey/protocol', '@latchkey/api-client', '@latchkey/node'];
/** Theirs, from the npm cache: the probe apps' frameworks, and what the packed packages depend on. */
const FROM_REGISTRY = ['express', 'fastify', '@types/node', 'openapi-fetch'];

type LockEntry = {
  version: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  [key: string]: unknown;
};

let dir: string;
let app: string;
let server: Server | undefined;
let admin: { token: string; tokenId: string };
const children: ChildProcess[] = [];

/** Runs a command to completion; rejects with its output on a non-zero exit. */
function run(cmd: string, args: string[], cwd: string): Promise<string> {
  // The probe project is no workspace of ours, whatever npm this test was started from says.
  const env = Object.fromEntries(
    Object.entries(process.env).filter(
      ([k]) => !/^npm_config_(workspaces?|include_workspace_root)$/i.test(k),
    ),
  );
  return new Promise((res, rej) => {
    const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', rej);
    child.on('close', (code) =>
      code === 0 ? res(out) : rej(new Error(`${cmd} ${args.join(' ')} exited ${code}: ${out}`)),
    );
  });
}

/** The lockfile entries of `roots` and everything they need, from this repository's lockfile. */
function lockClosure(roots: string[]): Map<string, LockEntry> {
  const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, LockEntry>;
  };
  const packages = lock.packages;
  // Node's resolution: the nearest node_modules/<name> from `from` up to the root.
  const find = (from: string, name: string): string | undefined => {
    for (let base = from; ; base = base.slice(0, Math.max(0, base.lastIndexOf('/node_modules/')))) {
      const key = `${base ? `${base}/` : ''}node_modules/${name}`;
      if (packages[key]) return key;
      if (!base) return undefined;
    }
  };
  const out = new Map<string, LockEntry>();
  const todo = roots.map((r) => find('', r));
  while (todo.length > 0) {
    const key = todo.pop();
    if (key === undefined || out.has(key)) continue;
    const entry = packages[key]!;
    out.set(key, entry);
    const required = Object.keys(entry.peerDependencies ?? {}).filter(
      (n) => !entry.peerDependenciesMeta?.[n]?.optional,
    );
    for (const name of [...Object.keys(entry.dependencies ?? {}), ...required]) {
      const found = find(key, name);
      if (found === undefined) throw new Error(`${key} needs ${name}, which the lockfile does not have`);
      todo.push(found);
    }
    for (const name of Object.keys(entry.optionalDependencies ?? {})) todo.push(find(key, name));
  }
  return out;
}

/** Every package name installed anywhere under `nodeModules` (nested ones included). */
function installedNames(nodeModules: string, into = new Set<string>()): Set<string> {
  if (!existsSync(nodeModules)) return into;
  for (const entry of readdirSync(nodeModules)) {
    if (entry.startsWith('.')) continue;
    const dirs = entry.startsWith('@')
      ? readdirSync(join(nodeModules, entry)).map((n) => `${entry}/${n}`)
      : [entry];
    for (const name of dirs) {
      into.add(name);
      installedNames(join(nodeModules, name, 'node_modules'), into);
    }
  }
  return into;
}

/** Starts `node <file>` in the probe project; resolves with the port it prints (`listening <port>`). */
async function startApp(file: string, latchkeyUrl: string): Promise<string> {
  const child = spawn(process.execPath, [file], {
    cwd: app,
    env: { ...process.env, LATCHKEY_URL: latchkeyUrl },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`${file} did not start within 30 s: ${out}`)), 30_000);
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const port = /listening (\d+)/.exec(out)?.[1];
      if (port) {
        clearTimeout(timer);
        res(`http://127.0.0.1:${port}`);
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      rej(new Error(`${file} exited (${code}): ${out}`));
    });
  });
}

/**
 * The README's remote examples (Express first, then Fastify), read from the installed tarball: the examples
 * a platform team copies are the apps this test runs, and the README ships with the package.
 */
function readmeExamples(): { express: string; fastify: string } {
  const readme = readFileSync(join(app, 'node_modules/@latchkey/node/README.md'), 'utf8');
  const remote = readme.slice(readme.indexOf('## Remote'), readme.indexOf('## Embedded'));
  const [express, fastify] = [...remote.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]!);
  if (!express?.includes("from 'express'") || !fastify?.includes("from 'fastify'")) {
    throw new Error(`README.md: no Express and Fastify examples under "## Remote":\n${remote}`);
  }
  return { express, fastify };
}

beforeAll(async () => {
  dir = tempDir('latchkey-pack-');
  const tarballs = join(dir, 'tarballs');
  mkdirSync(tarballs);
  const packed = JSON.parse(
    await run(
      'npm',
      ['pack', ...PACKED.flatMap((name) => ['-w', name]), '--pack-destination', tarballs, '--json'],
      ROOT,
    ),
  ) as { name: string; filename: string }[];
  const tarball = (name: string) => join(tarballs, packed.find((p) => p.name === name)!.filename);

  app = join(dir, 'app');
  mkdirSync(app);
  const packages: Record<string, unknown> = {};
  for (const [key, entry] of lockClosure(FROM_REGISTRY)) {
    const name = key.slice(key.lastIndexOf('node_modules/') + 'node_modules/'.length);
    // Installed for the probe itself, not as anyone's dev dependency; fetched from where npm caches them.
    const { dev: _dev, devOptional: _devOptional, peer: _peer, ...rest } = entry;
    packages[key] = {
      ...rest,
      resolved: `https://registry.npmjs.org/${name}/-/${name.split('/').pop()}-${entry.version}.tgz`,
    };
  }
  // The probe depends on its frameworks directly; openapi-fetch comes only as @latchkey/api-client's.
  const dependencies: Record<string, string> = {
    express: (packages['node_modules/express'] as LockEntry).version,
    fastify: (packages['node_modules/fastify'] as LockEntry).version,
    '@types/node': (packages['node_modules/@types/node'] as LockEntry).version,
  };
  for (const name of PACKED) {
    const file = tarball(name);
    dependencies[name] = `file:${file}`;
    const integrity = `sha512-${createHash('sha512').update(readFileSync(file)).digest('base64')}`;
    const manifest = JSON.parse(
      readFileSync(join(ROOT, 'packages', name.slice('@latchkey/'.length), 'package.json'), 'utf8'),
    ) as Record<string, unknown>;
    const declared = {
      dependencies: manifest.dependencies,
      peerDependencies: manifest.peerDependencies,
      peerDependenciesMeta: manifest.peerDependenciesMeta,
    };
    packages[`node_modules/${name}`] = { version: '0.1.0', resolved: `file:${file}`, integrity, ...declared };
  }
  packages[''] = { name: 'latchkey-pack-probe', dependencies };
  writeFileSync(
    join(app, 'package.json'),
    JSON.stringify({ name: 'latchkey-pack-probe', private: true, type: 'module', dependencies }),
  );
  writeFileSync(
    join(app, 'package-lock.json'),
    JSON.stringify({ name: 'latchkey-pack-probe', lockfileVersion: 3, requires: true, packages }),
  );
  await run('npm', ['ci', '--offline', '--no-audit', '--no-fund', '--ignore-scripts'], app);
  const examples = readmeExamples();
  writeFileSync(join(app, 'express-app.mjs'), examples.express);
  writeFileSync(join(app, 'fastify-app.mjs'), examples.fastify);

  const env = { DATABASE_URL: `sqlite:${join(dir, 'latchkey.db')}` };
  const boot = await runCli(
    ['bootstrap', '--org', 'packprobe', '--email', 'owner@pack.test', '--password-stdin', '--admin-token'],
    env,
    'a long enough password\n',
  );
  if (boot.code !== 0) throw new Error(`bootstrap failed: ${boot.stderr}`);
  admin = JSON.parse(boot.stdout) as { token: string; tokenId: string };
  server = await startServer(env);
}, 180_000);

afterAll(async () => {
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
}, 60_000);

describe('@latchkey/node from its tarball, in a fresh project', () => {
  it('installs without the server, native modules or a database driver', () => {
    const names = installedNames(join(app, 'node_modules'));
    for (const name of PACKED) expect(names).toContain(name);
    for (const name of FORBIDDEN) expect(names, name).not.toContain(name);
    // The protocol package depends on nothing; the contract only on openapi-fetch; the middleware on those two.
    const installed = (name: string) =>
      JSON.parse(readFileSync(join(app, 'node_modules', name, 'package.json'), 'utf8')) as Record<
        string,
        unknown
      >;
    expect(installed('@latchkey/protocol').dependencies).toBeUndefined();
    expect(installed('@latchkey/api-client').dependencies).toEqual({ 'openapi-fetch': '^0.17.0' });
    expect(installed('@latchkey/node').dependencies).toEqual({
      '@latchkey/api-client': '0.1.0',
      '@latchkey/protocol': '0.1.0',
    });
    for (const name of PACKED) expect(installed(name).private, name).toBeUndefined();
  });

  it('resolves every entry point through the exports maps, and ships their types', async () => {
    const script = `const main = await import('@latchkey/node'); const embedded = await import('@latchkey/node/embedded');
      const protocol = await import('@latchkey/protocol'); const client = await import('@latchkey/api-client');
      const openapi = import.meta.resolve('@latchkey/api-client/openapi.json');
      console.log(JSON.stringify({ main: Object.keys(main).sort(), embedded: Object.keys(embedded), protocol: typeof protocol.extractToken,
        client: typeof client.createLatchkeyClient, openapi }));`;
    const out = JSON.parse(await run(process.execPath, ['--input-type=module', '-e', script], app)) as Record<
      string,
      unknown
    >;
    expect(out.main).toEqual(
      expect.arrayContaining(['createGuard', 'latchkeyExpress', 'latchkeyFastify', 'remoteVerifier']),
    );
    expect(out.main).not.toContain('fromVerifier');
    expect(out.embedded).toEqual(['fromVerifier']);
    expect(out.protocol).toBe('function');
    expect(out.client).toBe('function');
    expect(out.openapi).toMatch(/node_modules\/@latchkey\/api-client\/openapi\.json$/);
    for (const file of [
      '@latchkey/node/dist/index.d.ts',
      '@latchkey/node/dist/embedded.d.ts',
      '@latchkey/protocol/dist/index.d.ts',
      '@latchkey/api-client/dist/index.d.ts',
      '@latchkey/api-client/openapi.json',
    ]) {
      expect(existsSync(join(app, 'node_modules', file)), file).toBe(true);
    }
  });

  it('type-checks a consumer against the shipped declarations (strict, NodeNext)', async () => {
    writeFileSync(
      join(app, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          target: 'ES2023',
          strict: true,
          noEmit: true,
          skipLibCheck: true,
          types: ['node'],
        },
        files: ['consumer.ts'],
      }),
    );
    writeFileSync(
      join(app, 'consumer.ts'),
      `import { latchkeyExpress, remoteVerifier, type DenialCode, type LatchkeyIdentity } from '@latchkey/node';
import { preflightAnswer, VERIFY_CODES, type VerifyCode } from '@latchkey/protocol';
import type { Answer } from '@latchkey/api-client';
const verified: Answer<'/api/v1/verify', 'post'>['code'] = 'token_revoked';
const middleware: (req: never, res: never, next: () => void) => void = latchkeyExpress({ source: remoteVerifier({ url: 'http://127.0.0.1:8080' }) });
const code: VerifyCode = 'origin_not_allowed';
const denial: DenialCode = 'rate_limited';
const status: 403 = VERIFY_CODES[code];
const headers: Record<string, string> | null = preflightAnswer('OPTIONS', 'GET', 'https://a.example');
export const used: [unknown, number, string, LatchkeyIdentity | null, unknown, string] = [middleware, status, denial, null, headers, verified];
`,
    );
    const tsc = join(ROOT, 'node_modules/typescript/bin/tsc');
    await run(process.execPath, [tsc, '-p', 'tsconfig.json'], app);
    // The declarations are really read (not `any`): a code the protocol or the contract does not have is a
    // type error.
    writeFileSync(
      join(app, 'broken.ts'),
      `import type { VerifyCode } from '@latchkey/protocol';\nexport const c: VerifyCode = 'no_such_code';\n` +
        `import type { Answer } from '@latchkey/api-client';\n` +
        `export const d: Answer<'/api/v1/verify', 'post'>['code'] = 'no_such_answer';\n`,
    );
    writeFileSync(
      join(app, 'tsconfig.broken.json'),
      JSON.stringify({ extends: './tsconfig.json', files: ['broken.ts'] }),
    );
    const broken = run(process.execPath, [tsc, '-p', 'tsconfig.broken.json'], app);
    await expect(broken).rejects.toThrow(/TS2322[\s\S]*no_such_code/);
    await expect(broken).rejects.toThrow(/TS2322[\s\S]*no_such_answer/);
  }, 60_000);

  it.each([
    ['Express', 'express-app.mjs'],
    ['Fastify', 'fastify-app.mjs'],
  ])(
    'protects a %s app through the remote middleware against a running Latchkey',
    async (_name, file) => {
      const url = await startApp(file, server!.url);
      const ok = await fetch(`${url}/assets`, { headers: { authorization: `Bearer ${admin.token}` } });
      const okBody = await ok.text();
      expect(ok.status, okBody).toBe(200);
      expect(JSON.parse(okBody)).toEqual({ tokenId: admin.tokenId, org: 'packprobe' });
      const missing = await fetch(`${url}/assets`);
      const missingBody = await missing.text();
      expect(missing.status, missingBody).toBe(401);
      expect((JSON.parse(missingBody) as { error: { code: string } }).error.code).toBe('token_missing');
      expect(missing.headers.get('x-latchkey-code')).toBe('token_missing');
    },
    60_000,
  );
});
