import { Command, Option } from 'commander';
import { readFileSync } from 'node:fs';
import { createRemote, RemoteError, type Remote } from './client.js';

export interface RemoteOptions {
  url?: string;
  token?: string;
  tokenFile?: string;
  tokenStdin?: boolean;
  org?: string;
  json?: boolean;
}

const TOKEN_HELP = `
Credentials: a private token with the permissions the command needs, from LATCHKEY_TOKEN (preferred),
--token-file <path> or --token-stdin. --token <token> works too, but puts the token in the process list
(ps, /proc) and your shell history, where other users and tools can read it; it prints a warning.`;

/**
 * A subcommand that talks to a running server: --url/--token/--org (or LATCHKEY_URL/_TOKEN/_ORG) and
 * --json. The action receives a ready client; refusals print `error: <code>: <message>` and exit 1.
 */
export function remoteCommand(name: string, description: string): Command {
  return new Command(name)
    .description(description)
    .addOption(new Option('--url <url>', 'Latchkey server URL').env('LATCHKEY_URL'))
    .addOption(
      new Option('--token <token>', 'a private token; visible in ps, see Credentials below').env(
        'LATCHKEY_TOKEN',
      ),
    )
    .option('--token-file <path>', 'read the token from this file (first line)')
    .option('--token-stdin', 'read the token from standard input')
    .addOption(new Option('--org <slug>', 'the org (slug or id)').env('LATCHKEY_ORG'))
    .option('--json', 'print JSON for scripts')
    .addHelpText('after', TOKEN_HELP)
    .exitOverride();
}

// Options and arguments are typed by each action; commander guarantees their presence (required options).
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function run<O extends RemoteOptions = any>(
  action: (remote: Remote, opts: O, ...args: never[]) => Promise<void>,
) {
  return async (...args: unknown[]): Promise<void> => {
    const command = args[args.length - 1] as Command;
    const opts = command.optsWithGlobals<O>();
    try {
      const token = await resolveToken(opts, command.getOptionValueSource('token'));
      if (token !== undefined) opts.token = token;
    } catch (e) {
      if (!(e instanceof UsageError)) throw e;
      process.stderr.write(`error: ${e.message}\n`);
      process.exitCode = 2;
      return;
    }
    const missing = [
      !opts.url && '--url (or LATCHKEY_URL)',
      !opts.token && 'a token (LATCHKEY_TOKEN, --token-file or --token-stdin)',
      !opts.org && '--org (or LATCHKEY_ORG)',
    ].filter(Boolean);
    if (missing.length > 0) {
      process.stderr.write(`error: missing ${missing.join(', ')}. See --help.\n`);
      process.exitCode = 2;
      return;
    }
    const remote = createRemote({ url: opts.url!, token: opts.token!, org: opts.org! });
    try {
      await (action as (...a: unknown[]) => Promise<void>)(remote, opts, ...args.slice(0, -2));
    } catch (e) {
      if (e instanceof RemoteError) {
        process.stderr.write(`error: ${e.code}: ${e.message}\n`);
        if (e.details && !opts.json) process.stderr.write(`${JSON.stringify(e.details, null, 2)}\n`);
        if (e.details && opts.json)
          process.stdout.write(
            `${JSON.stringify({ error: { code: e.code, message: e.message, details: e.details } }, null, 2)}\n`,
          );
        process.exitCode = 1;
        return;
      }
      if (e instanceof UsageError) {
        process.stderr.write(`error: ${e.message}\n`);
        process.exitCode = 2;
        return;
      }
      throw e;
    }
  };
}

export class UsageError extends Error {}

/**
 * The token from exactly one explicit source (--token, --token-file, --token-stdin), else LATCHKEY_TOKEN.
 * --token on the command line still works but warns: argv is readable by every user of the machine.
 */
async function resolveToken(
  opts: RemoteOptions,
  tokenSource: string | undefined,
): Promise<string | undefined> {
  const fromArgv = tokenSource === 'cli';
  const given = [
    fromArgv && '--token',
    opts.tokenFile !== undefined && '--token-file',
    opts.tokenStdin && '--token-stdin',
  ].filter(Boolean);
  if (given.length > 1) throw new UsageError(`give the token one way, not ${given.join(' and ')}`);
  if (fromArgv) {
    process.stderr.write(
      'warning: --token puts the token in the process list (ps) and your shell history; ' +
        'use LATCHKEY_TOKEN, --token-file or --token-stdin instead.\n',
    );
    return opts.token;
  }
  let text: string;
  if (opts.tokenFile !== undefined) {
    try {
      text = readFileSync(opts.tokenFile, 'utf8');
    } catch (e) {
      throw new UsageError(
        `cannot read --token-file ${opts.tokenFile}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
      );
    }
  } else if (opts.tokenStdin) {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    text = Buffer.concat(chunks).toString('utf8');
  } else {
    return opts.token;
  }
  // The first line, without surrounding white space (files and `echo` end with a newline).
  const token = text.split(/\r?\n/, 1)[0]!.trim();
  if (token === '')
    throw new UsageError(
      opts.tokenFile !== undefined ? `--token-file ${opts.tokenFile} is empty` : '--token-stdin read nothing',
    );
  return token;
}
