import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { runCli, startServer, type Server } from '../helpers/process.js';

/** Black-box: the built `latchkey` binary on a real SQLite file, spoken to over HTTP. */
const PASSWORD = 'a long enough password';
let server: Server;
let admin: { org: { slug: string }; token: string; tokenId: string };
let env: Record<string, string>;
let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase('file');
  env = { DATABASE_URL: database.url };
  const migrate = await runCli(['migrate'], env);
  expect(migrate.code, migrate.stderr).toBe(0);
  server = await startServer(env);
});
afterAll(async () => {
  await server?.stop();
  await database?.drop();
});

describe('latchkey serve on an empty database', () => {
  it('prints the one-time setup link', () => {
    expect(server.output()).toMatch(/First run: open this one-time link[\s\S]*\/setup#token=[0-9A-Za-z]{40}/);
  });
});

describe('latchkey bootstrap', () => {
  it('creates the first org, its owner, an admin service account and a private token, as JSON', async () => {
    const r = await runCli(
      ['bootstrap', '--org', 'acme', '--email', 'owner@acme.test', '--password-stdin', '--admin-token'],
      env,
      `${PASSWORD}\n`,
    );
    expect(r.code, r.stderr).toBe(0);
    admin = JSON.parse(r.stdout);
    expect(admin).toMatchObject({
      org: { slug: 'acme' },
      user: { email: 'owner@acme.test' },
      serviceAccount: { name: 'admin', roleName: 'Admin' },
    });
    expect(admin.token).toMatch(/^lk_prv_/);
  });

  it('refuses an existing slug (exit 1) and adds a second org with a new slug', async () => {
    const dup = await runCli(
      ['bootstrap', '--org', 'acme', '--email', 'owner@acme.test', '--password-stdin'],
      env,
      PASSWORD,
    );
    expect(dup.code).toBe(1);
    expect(dup.stderr).toMatch(/name_taken/);
    const second = await runCli(
      ['bootstrap', '--org', 'globex', '--email', 'owner@acme.test', '--password-stdin'],
      env,
      PASSWORD,
    );
    expect(second.code, second.stderr).toBe(0);
    expect(JSON.parse(second.stdout).org.slug).toBe('globex');
  });

  it('exits 2 on a usage error', async () => {
    const r = await runCli(['bootstrap', '--email', 'x@y.test'], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--org/);
  });
});

describe('the running server, over HTTP', () => {
  it('manages service accounts and tokens with the bootstrap token, and verifies them', async () => {
    const h = { authorization: `Bearer ${admin.token}`, 'content-type': 'application/json' };
    const sa = await fetch(`${server.url}/api/v1/orgs/acme/service-accounts`, {
      method: 'POST',
      headers: h,
      body: JSON.stringify({ name: 'storefront' }),
    });
    expect(sa.status).toBe(201);
    const saId = ((await sa.json()) as { id: string }).id;
    const tok = await fetch(`${server.url}/api/v1/orgs/acme/tokens`, {
      method: 'POST',
      headers: h,
      body: JSON.stringify({
        name: 'site',
        type: 'public',
        serviceAccountId: saId,
        domains: ['https://shop.acme.test'],
      }),
    });
    expect(tok.status).toBe(201);
    const { token } = (await tok.json()) as { token: string };
    const v = await fetch(`${server.url}/api/v1/verify`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token, origin: 'https://shop.acme.test' }),
    });
    expect(await v.json()).toMatchObject({ valid: true, code: 'valid', org: { slug: 'acme' } });
    const openapi = await fetch(`${server.url}/api/v1/openapi.json`);
    expect(openapi.status).toBe(200);
  });

  it('keeps data across a restart and no longer prints a setup link', async () => {
    await server.stop();
    server = await startServer(env);
    expect(server.output()).not.toMatch(/setup#token=/);
    const me = await fetch(`${server.url}/api/v1/me`, {
      headers: { authorization: `Bearer ${admin.token}` },
    });
    expect(me.status).toBe(200);
  });
});

describe('configuration errors', () => {
  it('are reported clearly at start-up with exit code 2', async () => {
    const r = await runCli(['serve'], {
      ...env,
      PORT: 'eighty',
      DATABASE_URL: 'mysql://nope',
      LATCHKEY_PUBLIC_SAFE_PERMISSIONS: 'tokens:view',
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Invalid configuration/);
    expect(r.stderr).toMatch(/PORT/);
  });

  it('refuse LATCHKEY_TRUST_PROXY=true, saying why and what to set (issue #11 finding 4)', async () => {
    const r = await runCli(['serve'], { ...env, LATCHKEY_TRUST_PROXY: 'true' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/LATCHKEY_TRUST_PROXY.*`true` is refused/);
    expect(r.stderr).toMatch(/X-Forwarded-For/);
  });
});
