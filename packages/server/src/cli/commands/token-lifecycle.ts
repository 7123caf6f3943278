import { Command, Option } from 'commander';
import { printOut, printTable } from '../remote/output.js';
import { remoteCommand, run, UsageError } from '../remote/remote-command.js';
import type { Token } from '../remote/types.js';
import { limitFlags } from './token-limit-options.js';

/** What `token rotate/suspend/resume/report-leak` print about the token afterwards. */
const lifecycleColumns: [string, (t: Token) => unknown][] = [
  ['id', (t) => t.id],
  ['name', (t) => t.name],
  ['hint', (t) => t.hint],
  ['status', (t) => (t.compromised ? `${t.status} (compromised)` : t.status)],
  [
    'previous value',
    (t) =>
      t.previousSecret
        ? `${t.previousSecret.hint} retires ${t.previousSecret.retiresOnFirstUse ? 'on first use of the new value, at the latest ' : 'at '}${t.previousSecret.retiresAt ?? 'never'}`
        : '',
  ],
];

/** Seconds from "90s", "15m", "12h", "7d" or a plain number of seconds. */
function duration(v: string): number {
  const m = /^(\d+)([smhd]?)$/.exec(v.trim());
  if (!m) throw new UsageError(`"${v}" is not a duration: use e.g. 3600, 90s, 15m, 12h or 7d`);
  return Number(m[1]) * { '': 1, s: 1, m: 60, h: 3600, d: 86_400 }[m[2] as '' | 's' | 'm' | 'h' | 'd'];
}

/** Rotation, suspension and leak reports (docs/lifecycle.md), added to `latchkey token`. */
export function addTokenLifecycleCommands(token: Command): void {
  token.addCommand(
    remoteCommand(
      'rotate',
      "Give a token a new value (same id and settings); prints the new value once. The old value retires on the new one's first use (default), at a time, or now",
    )
      .argument('<token-id>', 'a token id, or "self" for the token you authenticate with')
      .addOption(
        new Option('--retire <when>', 'when the old value stops verifying')
          .choices(['on-first-use', 'at', 'now'])
          .default('on-first-use'),
      )
      .option('--at <iso-time>', 'with --retire at: when (at most 30 days ahead)')
      .option('--overlap <duration>', 'with --retire on-first-use: the latest it retires (default 1d)')
      .addHelpText(
        'after',
        '\nExamples:\n  latchkey token rotate tok_… --org acme\n  latchkey token rotate tok_… --retire at --at 2026-12-24T00:00:00Z --org acme\n  LATCHKEY_TOKEN=$OLD latchkey token rotate self --org acme --json',
      )
      .action(
        run(async (r, o: { retire: string; at?: string; overlap?: string; json?: boolean }, id: string) => {
          const retire: 'on_first_use' | 'at' | 'now' =
            o.retire === 'on-first-use' ? 'on_first_use' : (o.retire as 'at' | 'now');
          const body = {
            retire,
            ...(o.at !== undefined ? { at: o.at } : {}),
            ...(o.overlap !== undefined ? { overlapSeconds: duration(o.overlap) } : {}),
          };
          const res =
            id === 'self'
              ? await r.call(
                  r.api.POST('/api/v1/orgs/{org}/tokens/self/rotate', {
                    params: { path: { org: r.org } },
                    body,
                  }),
                )
              : await r.call(
                  r.api.POST('/api/v1/orgs/{org}/tokens/{id}/rotate', {
                    params: { path: { org: r.org, id } },
                    body,
                  }),
                );
          printOut(!!o.json, res, () => {
            printTable([res.item], lifecycleColumns);
            process.stdout.write(
              `\ntoken: ${res.token}\n${res.item.type === 'private' ? 'Store it now: it will not be shown again.\n' : ''}`,
            );
          });
        }),
      ),
  );
  for (const [action, description] of [
    ['suspend', 'Suspend a token: refused (token_suspended) until resumed; nothing else changes'],
    ['resume', 'Resume a suspended token'],
  ] as const) {
    token.addCommand(
      remoteCommand(action, description)
        .argument('<token-id>')
        .action(
          run(async (r, o: { json?: boolean }, id: string) => {
            const path = `/api/v1/orgs/{org}/tokens/{id}/${action}` as const;
            const t = await r.call(r.api.POST(path, { params: { path: { org: r.org, id } }, body: {} }));
            printOut(!!o.json, t, () => printTable([t], lifecycleColumns));
          }),
        ),
    );
  }
  token.addCommand(
    remoteCommand(
      'report-leak',
      'A value leaked: revoke the token at once and mark it compromised; prints how to create a replacement',
    )
      .argument('<token-id>')
      .option('--where <url>', 'where it was found')
      .option('--note <text>')
      .addHelpText(
        'after',
        '\nExample:\n  latchkey token report-leak tok_… --where https://gist.github.com/… --org acme',
      )
      .action(
        run(async (r, o: { where?: string; note?: string; json?: boolean }, id: string) => {
          const res = await r.call(
            r.api.POST('/api/v1/orgs/{org}/tokens/{id}/report-leak', {
              params: { path: { org: r.org, id } },
              body: {
                ...(o.where !== undefined ? { where: o.where } : {}),
                ...(o.note !== undefined ? { note: o.note } : {}),
              },
            }),
          );
          printOut(!!o.json, res, () => {
            printTable([res.item], lifecycleColumns);
            const x = res.replacement;
            const owner = x.serviceAccountId ?? '<service account>';
            const domains = x.domains.length > 0 ? ` --domains ${x.domains.join(',')}` : '';
            const permissions = x.permissions ? ` --permissions ${x.permissions.join(',')}` : '';
            const ips = x.allowedIps.length > 0 ? ` --allowed-ips ${x.allowedIps.join(',')}` : '';
            const enforcement = x.enforcement === 'enforce' ? '' : ` --enforcement ${x.enforcement}`;
            const limits = limitFlags(x);
            process.stdout.write(
              `\nrevoked. Create a replacement with the same settings:\n  latchkey token create ${JSON.stringify(x.name)} --service-account ${owner} --type ${x.type}${domains}${ips}${enforcement}${limits}${permissions}\n`,
            );
          });
        }),
      ),
  );
}
