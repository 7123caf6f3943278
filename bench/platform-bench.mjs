// The platform route of benchmark (e): without the middleware, with it embedded (in-process verifier
// over the same database), or with it remote (verify API with its short cache).
import Fastify from 'fastify';
import { latchkeyFastify, remoteVerifier } from '@latchkey/node';
import { fromVerifier } from '@latchkey/node/embedded';
import { createLatchkey, createLogger, loadConfig } from '@latchkey/server';

const mode = process.env.MODE ?? 'none';
const app = Fastify({ logger: false });
let lk;
if (mode === 'embedded') {
  lk = await createLatchkey(
    loadConfig({ DATABASE_URL: process.env.DATABASE_URL, LOG_LEVEL: 'warn' }),
    createLogger('warn'),
  );
  latchkeyFastify(app, { source: fromVerifier(lk.verifier), permission: 'assets:view' });
} else if (mode === 'remote') {
  latchkeyFastify(app, {
    source: remoteVerifier({ url: process.env.LATCHKEY_URL }),
    permission: 'assets:view',
  });
}
app.get('/assets', async () => ({ ok: true }));
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
process.send?.('ready');
