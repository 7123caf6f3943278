import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  /** The parsed body. */
  event: {
    id: string;
    type: string;
    timestamp: string;
    org: { id: string };
    actor: unknown;
    // The tests read whichever fields the event type has; the OpenAPI schema check (afterEach) types them.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    data: any;
  };
}

export interface Receiver {
  url: string;
  received: Received[];
  /** The status the next requests are answered with (default 204). */
  status: number;
  /** Answers when this many have arrived (or rejects after `ms`). */
  waitFor(n: number, ms?: number): Promise<Received[]>;
  ofType(type: string): Received[];
  close(): Promise<void>;
}

/** A real HTTP server on 127.0.0.1 that records every webhook it is sent. */
export async function startReceiver(port = 0): Promise<Receiver> {
  const received: Received[] = [];
  const r: Receiver = {
    url: '',
    received,
    status: 204,
    async waitFor(n, ms = 10_000) {
      const until = Date.now() + ms;
      while (received.length < n) {
        if (Date.now() > until) throw new Error(`receiver got ${received.length} of ${n} webhooks`);
        await new Promise((res) => setTimeout(res, 20));
      }
      return received;
    },
    ofType: (type) => received.filter((x) => x.event.type === type),
    close: () => new Promise((res) => server.close(() => res())),
  };
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString('utf8')));
    req.on('end', () => {
      received.push({ headers: req.headers, body, event: JSON.parse(body) });
      res.statusCode = r.status;
      res.end();
    });
  });
  await new Promise<void>((res) => server.listen(port, '127.0.0.1', res));
  r.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
  return r;
}
