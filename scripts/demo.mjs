// `npm run demo`: Latchkey on a throw-away database with a realistic org, the example platform API and
// two customer pages on different origins. Prints what to open and try; Ctrl-C stops everything.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLatchkey, createLogger, loadConfig } from '@latchkey/server';
import { startCustomerPage } from '../examples/customer-page/customer-page.mjs';
import { buildPlatformApi } from '../examples/platform/platform-api.mjs';

/**
 * A free port, held until `release()` just before the real listen: the customer page's origin must be known
 * before its token is created, and a port only looked up and let go could be taken meanwhile (by a parallel
 * test run, say).
 */
const reservePort = () =>
  new Promise((res) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      res({ port, release: () => new Promise((done) => s.close(() => done())) });
    });
  });

const dir = mkdtempSync(join(tmpdir(), 'latchkey-demo-'));
const reserved = process.env.PORT ? null : await reservePort();
const port = Number(process.env.PORT ?? reserved.port);
const url = `http://127.0.0.1:${port}`;
const config = loadConfig({
  DATABASE_URL: `sqlite:${join(dir, 'demo.db')}`,
  PORT: String(port),
  LATCHKEY_PUBLIC_URL: url,
  LOG_LEVEL: 'warn',
});
const lk = await createLatchkey(config, createLogger('warn'));
await reserved?.release();
await lk.app.listen({ port, host: '127.0.0.1' });

// The org: an owner, two colleagues, two service accounts, public and private tokens, legacy tokens.
const PASSWORD = 'demo password 123';
const { org, token: adminToken } = await lk.services.setup.bootstrap({
  slug: 'acme',
  orgName: 'Acme Furniture',
  email: 'owner@acme.test',
  name: 'Olivia Owner',
  password: PASSWORD,
  adminToken: true,
});
const api = async (method, path, body) => {
  const res = await lk.app.inject({
    method,
    url: `/api/v1${path}`,
    headers: { authorization: `Bearer ${adminToken}` },
    ...(body ? { payload: body } : {}),
  });
  if (res.statusCode >= 300) throw new Error(`${method} ${path}: ${res.body}`);
  return res.json();
};
const roles = (await api('GET', '/orgs/acme/roles')).items;
const role = (name) => roles.find((r) => r.name === name).id;
for (const [email, name, r] of [
  ['alice@acme.test', 'Alice', 'Admin'],
  ['bob@acme.test', 'Bob', 'Viewer'],
]) {
  const inv = await api('POST', '/orgs/acme/invitations', { email, roleId: role(r) });
  await lk.services.invitations.acceptAsNewcomer({ token: inv.token, name, password: PASSWORD, ip: null });
}
const storefront = await api('POST', '/orgs/acme/service-accounts', {
  name: 'storefront',
  description: 'Embedded 3D viewer on customer sites',
});
const backend = await api('POST', '/orgs/acme/service-accounts', {
  name: 'backend-sync',
  roleId: role('Admin'),
  description: 'Nightly order sync',
});

const pageReservation = await reservePort();
const otherReservation = await reservePort();
const pagePort = pageReservation.port;
const otherPort = otherReservation.port;
const allowedOrigin = `http://127.0.0.1:${pagePort}`;
const pub = await api('POST', '/orgs/acme/tokens', {
  name: 'shop viewer',
  type: 'public',
  serviceAccountId: storefront.id,
  domains: [allowedOrigin, 'https://shop.acme-customer.example'],
});
const prv = await api('POST', '/orgs/acme/tokens', {
  name: 'order sync',
  type: 'private',
  serviceAccountId: backend.id,
});
// Legacy tokens, as imported from the previous system: owned by people until reassigned.
const ownerScope = {
  org,
  actor: { type: 'system', id: null, label: 'demo', userId: null, ip: null },
  permissions: (await lk.store.roles.findBuiltin(org.id, 'Owner')).permissions,
};
await lk.services.tokenImport.run(
  ownerScope,
  [
    {
      ownerEmail: 'alice@acme.test',
      name: 'alice old script',
      type: 'private',
      value: 'legacy-2f9c1a7e-alice',
    },
    {
      ownerEmail: 'bob@acme.test',
      name: 'bob old embed',
      type: 'public',
      domains: [allowedOrigin],
      value: 'legacy-8d3e5b21-bob',
    },
  ],
  false,
);

const platform = await buildPlatformApi({ latchkeyUrl: url });
const platformUrl = await platform.listen({ port: 0, host: '127.0.0.1' });
await pageReservation.release();
const page = await startCustomerPage({
  port: pagePort,
  apiUrl: platformUrl,
  token: pub.token,
  title: 'Customer shop (allowed origin)',
});
await otherReservation.release();
const other = await startCustomerPage({
  port: otherPort,
  apiUrl: platformUrl,
  token: pub.token,
  title: 'Another site (not allowed)',
});
const otherUrl = `http://127.0.0.1:${otherPort}`;

process.stdout.write(`
Latchkey demo is running (data in ${dir}, deleted on exit).

  Console          ${url}            sign in as owner@acme.test / ${PASSWORD}
                                                 (also alice@acme.test = Admin, bob@acme.test = Viewer)
  API docs         ${url}/docs
  Platform API     ${platformUrl}/assets   protected by @latchkey/node
  Customer page    ${allowedOrigin}/            allowed origin: the public token works
  Another site     ${otherUrl}/            not on the allowlist: the same token is refused

Try:
  curl -s ${platformUrl}/assets -H 'authorization: Bearer ${prv.token}'
  curl -s ${platformUrl}/assets                         # 401 token_missing
  curl -s ${url}/api/v1/verify -H 'content-type: application/json' -d '{"token":"${pub.token}","origin":"${otherUrl}"}'
  In the console: Settings → Tokens, right-click "alice old script" → Reassign Token; then Members → Remove Alice.

Press Ctrl-C to stop.
`);
process.stdout.write(
  `DEMO_READY ${JSON.stringify({ console: url, platform: platformUrl, page: `${allowedOrigin}/`, other: `${otherUrl}/`, privateToken: prv.token })}\n`,
);

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  page.close();
  other.close();
  await platform.close();
  await lk.close();
  rmSync(dir, { recursive: true, force: true });
  process.stdout.write('demo stopped\n');
  process.exit(0);
}
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
