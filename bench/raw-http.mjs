// The floor of this machine: a raw node:http server doing what a verification must (parse the JSON body or
// read the Authorization header, hash the token, look it up in a Map) and writing a prepared answer of the
// same size as Latchkey's. No framework, no validation, no limits: nothing a real service could ship.
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';

const token = process.env.LK_TOKEN ?? '';
const known = new Map([[createHash('sha256').update(token).digest('hex'), true]]);
const answer = Buffer.from(
  JSON.stringify({
    valid: true,
    code: 'valid',
    org: { id: 'org_0123456789abcdefghij', slug: 'bench' },
    tokenId: 'tok_0123456789abcdefghij',
    owner: { type: 'service_account', id: 'sa_0123456789abcdefghij', name: 'admin' },
    type: 'private',
    permissions: [
      'members:view',
      'members:edit',
      'roles:view',
      'roles:edit',
      'service_accounts:view',
      'service_accounts:edit',
      'tokens:view',
      'tokens:edit',
      'audit_log:view',
      'org:view',
      'org:edit',
    ],
  }),
);
const denied = Buffer.from(
  '{"valid":false,"code":"token_invalid","org":null,"tokenId":null,"owner":null,"type":null,"permissions":[]}',
);
const json = ['content-type', 'application/json; charset=utf-8'];
const identity = [
  'x-latchkey-org',
  'org_0123456789abcdefghij',
  'x-latchkey-org-slug',
  'bench',
  'x-latchkey-token-id',
  'tok_0123456789abcdefghij',
  'x-latchkey-token-type',
  'private',
  'x-latchkey-service-account',
  'sa_0123456789abcdefghij',
  'x-latchkey-user',
  '',
  'x-latchkey-permissions',
  'tokens:view,tokens:edit',
  'x-latchkey-code',
  'valid',
  'content-length',
  '0',
];
const isKnown = (t) => known.has(createHash('sha256').update(t).digest('hex'));

const server = createServer((req, res) => {
  if (req.method === 'POST') {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      const bytes = isKnown(String(body.token)) ? answer : denied;
      res.writeHead(200, [...json, 'content-length', String(bytes.length)]);
      res.end(bytes);
    });
    return;
  }
  const auth = req.headers.authorization ?? '';
  if (isKnown(auth.slice(7))) res.writeHead(200, identity);
  else res.writeHead(401, ['x-latchkey-code', 'token_invalid', 'content-length', '0']);
  res.end();
});
server.keepAliveTimeout = 72_000;
server.listen(Number(process.env.PORT), '127.0.0.1');
