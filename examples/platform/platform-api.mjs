// An example "platform API" (assets) protected in-process by @latchkey/node.
// Run: LATCHKEY_URL=http://127.0.0.1:8080 PORT=4000 node examples/platform/platform-api.mjs
import Fastify from 'fastify';
import { latchkeyFastify, remoteVerifier } from '@latchkey/node';
import { pathToFileURL } from 'node:url';

const ASSETS = [
  { id: 'chair', name: 'Lounge chair', color: '#c0392b' },
  { id: 'lamp', name: 'Desk lamp', color: '#f1c40f' },
];

/** Builds the platform API; every route needs a Latchkey token with the permission it names. */
export async function buildPlatformApi({ latchkeyUrl, verifySecret, cacheTtlMs = 1000, logger = false }) {
  const app = Fastify({ logger });
  await app.register(async (api) => {
    latchkeyFastify(api, {
      source: remoteVerifier({ url: latchkeyUrl, verifySecret, cacheTtlMs }),
      permission: (req) => (req.method === 'GET' || req.method === 'HEAD' ? 'assets:view' : 'assets:edit'),
    });
    api.get('/assets', async (req) => ({
      org: req.latchkey.org.slug,
      caller: req.latchkey.owner.name,
      assets: ASSETS,
    }));
    // An image, so that <img src="…?bearer_token=…"> works through the Referer fallback.
    api.get('/assets/:id.svg', async (req, reply) => {
      const asset = ASSETS.find((a) => a.id === req.params.id);
      if (!asset) return reply.status(404).send({ error: { code: 'not_found', message: 'No such asset.' } });
      reply.header('content-type', 'image/svg+xml');
      return `<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64"><rect width="64" height="64" fill="${asset.color}"/></svg>`;
    });
    api.post('/assets', async () => ({ created: true }));
  });
  return app;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const app = await buildPlatformApi({
    latchkeyUrl: process.env.LATCHKEY_URL ?? 'http://127.0.0.1:8080',
    verifySecret: process.env.LATCHKEY_VERIFY_SECRET,
    logger: true,
  });
  await app.listen({ port: Number(process.env.PORT ?? 4000), host: process.env.HOST ?? '127.0.0.1' });
}
