import { Command, Option } from 'commander';
import { createRemote, RemoteError, type Remote } from './client.js';

export interface RemoteOptions {
  url?: string;
  token?: string;
  org?: string;
  json?: boolean;
}

/**
 * A subcommand that talks to a running server: --url/--token/--org (or LATCHKEY_URL/_TOKEN/_ORG) and
 * --json. The action receives a ready client; refusals print `error: <code>: <message>` and exit 1.
 */
export function remoteCommand(name: string, description: string): Command {
  return new Command(name)
    .description(description)
    .addOption(new Option('--url <url>', 'Latchkey server URL').env('LATCHKEY_URL'))
    .addOption(new Option('--token <token>', 'a private token with the permissions the command needs').env('LATCHKEY_TOKEN'))
    .addOption(new Option('--org <slug>', 'the org (slug or id)').env('LATCHKEY_ORG'))
    .option('--json', 'print JSON for scripts')
    .exitOverride();
}

// Options and arguments are typed by each action; commander guarantees their presence (required options).
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function run<O extends RemoteOptions = any>(action: (remote: Remote, opts: O, ...args: never[]) => Promise<void>) {
  return async (...args: unknown[]): Promise<void> => {
    const command = args[args.length - 1] as Command;
    const opts = command.optsWithGlobals<O>();
    const missing = [!opts.url && '--url (or LATCHKEY_URL)', !opts.token && '--token (or LATCHKEY_TOKEN)', !opts.org && '--org (or LATCHKEY_ORG)'].filter(Boolean);
    if (missing.length > 0) {
      process.stderr.write(`error: missing ${missing.join(', ')}. See --help.\n`);
      process.exitCode = 2;
      return;
    }
    const remote = createRemote({ url: opts.url!, token: opts.token!, org: encodeURIComponent(opts.org!) });
    try {
      await (action as (...a: unknown[]) => Promise<void>)(remote, opts, ...args.slice(0, -2));
    } catch (e) {
      if (e instanceof RemoteError) {
        process.stderr.write(`error: ${e.code}: ${e.message}\n`);
        if (e.details && !opts.json) process.stderr.write(`${JSON.stringify(e.details, null, 2)}\n`);
        if (e.details && opts.json) process.stdout.write(`${JSON.stringify({ error: { code: e.code, message: e.message, details: e.details } }, null, 2)}\n`);
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
