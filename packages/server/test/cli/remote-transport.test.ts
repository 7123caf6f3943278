import { writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers/process.js';

/**
 * How the `latchkey` admin commands carry their credentials: never through a redirect, and not on the
 * command line unless the user insists. The real binary against local HTTP servers: no Latchkey (nor a
 * store) is involved, only what the client sends where.
 */

interface Seen {
  method: string;
  url: string;
  authorization: string | undefined;
  body: string;
}

async function listen(
  handler: (
    req: IncomingMessage,
    body: string,
  ) => { status: number; headers?: Record<string, string>; body?: unknown },
) {
  const seen: Seen[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      seen.push({
        method: req.method ?? '',
        url: req.url ?? '',
        authorization: req.headers.authorization,
        body,
      });
      const out = handler(req, body);
      res.writeHead(out.status, {
        ...(out.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...out.headers,
      });
      res.end(out.body !== undefined ? JSON.stringify(out.body) : undefined);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** What a Latchkey would answer, so that a followed redirect would look like success to the CLI. */
const fakeLatchkey = (req: IncomingMessage) => {
  if (req.url?.includes('/tokens/import'))
    return {
      status: 200,
      body: { dryRun: false, valid: true, imported: 1, rows: [{ index: 0, ok: true, tokenId: 'tok_x' }] },
    };
  return { status: 200, body: { items: [] } };
};

const LEGACY_VALUE = 'legacy-secret-value-0123456789';
const dir = tempDir('latchkey-cli-transport-');
const importFile = join(dir, 'tokens.csv');
writeFileSync(importFile, `ownerEmail,name,type,value\nalice@acme.test,old,private,${LEGACY_VALUE}\n`);

let elsewhere: Awaited<ReturnType<typeof listen>>;
beforeAll(async () => {
  elsewhere = await listen(fakeLatchkey);
});
afterAll(() => elsewhere.close());

describe('redirects are never followed', () => {
  const cases: [status: number, args: string[]][] = [
    [307, ['token', 'import', '--file', importFile]],
    [308, ['token', 'import', '--file', importFile]],
    [301, ['sa', 'list']],
    [302, ['sa', 'list']],
    [303, ['token', 'import', '--file', importFile]],
  ];
  it.each(cases)(
    'a %i to another origin: exit 1, and the other host gets neither token nor body',
    async (status, args) => {
      const redirector = await listen((req) => ({
        status,
        headers: { location: `${elsewhere.url}${req.url}` },
      }));
      try {
        const before = elsewhere.seen.length;
        const r = await runCli([...args, '--url', redirector.url, '--org', 'acme'], {
          LATCHKEY_TOKEN: 'lk_prv_cli_secret',
        });
        expect(r.code, r.stderr).toBe(1);
        expect(r.stderr).toMatch(/^error: redirected: /m);
        expect(r.stderr).toContain(elsewhere.url);
        expect(r.stdout).not.toMatch(/imported/);
        expect(elsewhere.seen.slice(before), 'the other origin was contacted').toEqual([]);
        expect(redirector.seen).toHaveLength(1);
        expect(`${r.stdout}${r.stderr}`).not.toContain('lk_prv_cli_secret');
      } finally {
        await redirector.close();
      }
    },
  );

  it('a redirect within the same origin is refused too (one rule: fix --url)', async () => {
    const redirector = await listen((req) => ({ status: 308, headers: { location: `/moved${req.url}` } }));
    try {
      const r = await runCli(
        ['token', 'import', '--file', importFile, '--url', redirector.url, '--org', 'acme'],
        { LATCHKEY_TOKEN: 'lk_prv_x' },
      );
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toMatch(/^error: redirected: /m);
      expect(redirector.seen.map((s) => s.url)).toEqual(['/api/v1/orgs/acme/tokens/import']);
    } finally {
      await redirector.close();
    }
  });
});

describe('where the token comes from', () => {
  const lastAuth = () => elsewhere.seen[elsewhere.seen.length - 1]?.authorization;
  const base = () => ['sa', 'list', '--url', elsewhere.url, '--org', 'acme'];

  it('--help says to prefer LATCHKEY_TOKEN, --token-file or --token-stdin over --token, and why', async () => {
    for (const args of [
      ['sa', 'list'],
      ['token', 'import'],
      ['audit', 'export'],
    ]) {
      const r = await runCli([...args, '--help'], {});
      expect(r.code, args.join(' ')).toBe(0);
      for (const needle of ['LATCHKEY_TOKEN', '--token-file <path>', '--token-stdin', 'process list (ps']) {
        expect(r.stdout.replace(/\s+/g, ' '), `${args.join(' ')} --help`).toContain(needle);
      }
    }
  });

  it('--token on the command line works but warns on stderr; LATCHKEY_TOKEN does not warn', async () => {
    const argv = await runCli([...base(), '--token', 'lk_prv_from_argv'], {});
    expect(argv.code, argv.stderr).toBe(0);
    expect(lastAuth()).toBe('Bearer lk_prv_from_argv');
    expect(argv.stderr).toMatch(/^warning: --token puts the token in the process list/m);
    const env = await runCli(base(), { LATCHKEY_TOKEN: 'lk_prv_from_env' });
    expect(env.code, env.stderr).toBe(0);
    expect(lastAuth()).toBe('Bearer lk_prv_from_env');
    expect(env.stderr).toBe('');
  });

  it('--token-stdin and --token-file read the first line, and win over LATCHKEY_TOKEN', async () => {
    const stdin = await runCli(
      [...base(), '--token-stdin'],
      { LATCHKEY_TOKEN: 'lk_prv_env' },
      'lk_prv_from_stdin\n',
    );
    expect(stdin.code, stdin.stderr).toBe(0);
    expect(lastAuth()).toBe('Bearer lk_prv_from_stdin');
    expect(stdin.stderr).toBe('');
    const file = join(dir, 'token');
    writeFileSync(file, 'lk_prv_from_file\n', { mode: 0o600 });
    const fromFile = await runCli([...base(), '--token-file', file], { LATCHKEY_TOKEN: 'lk_prv_env' });
    expect(fromFile.code, fromFile.stderr).toBe(0);
    expect(lastAuth()).toBe('Bearer lk_prv_from_file');
  });

  it('two explicit sources, an empty or missing file are usage errors (exit 2) and send nothing', async () => {
    const before = elsewhere.seen.length;
    const file = join(dir, 'token2');
    writeFileSync(file, 'lk_prv_a\n');
    const empty = join(dir, 'empty');
    writeFileSync(empty, '\n');
    for (const [args, stdin] of [
      [['--token', 'lk_prv_b', '--token-file', file], undefined],
      [['--token-stdin', '--token-file', file], 'lk_prv_c'],
      [['--token-file', empty], undefined],
      [['--token-file', join(dir, 'nope')], undefined],
      [['--token-stdin'], ''],
    ] as [string[], string | undefined][]) {
      const r = await runCli([...base(), ...args], {}, stdin);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(/^error: /m);
    }
    expect(elsewhere.seen.length).toBe(before);
  });
});
