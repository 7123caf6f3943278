// A bare upstream for the nginx examples: answers 200 with the request line and headers it received.
import { createServer } from 'node:http';
import { pathToFileURL } from 'node:url';

export function startEchoUpstream(port = 0, host = '127.0.0.1') {
  const server = createServer((req, res) => {
    const body = JSON.stringify({ method: req.method, url: req.url, headers: req.headers });
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
  server.keepAliveTimeout = 65_000;
  return new Promise((resolve) => server.listen(port, host, () => resolve(server)));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const server = await startEchoUpstream(Number(process.env.PORT ?? 4001));
  console.log(`echo upstream on ${JSON.stringify(server.address())}`);
}
