// The ceiling: a bare Fastify server answering 200 (GET) and echoing a small JSON (POST).
import Fastify from 'fastify';

const app = Fastify({ logger: false });
app.get('/*', async () => ({ ok: true }));
app.post('/*', async (req) => ({ ok: true, n: Object.keys(req.body ?? {}).length }));
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
process.send?.('ready');
