import { Argument, Command, Option } from 'commander';
import type { Answer, paths } from '@latchkey/api-client';
import { HYGIENE_ACTIONS, HYGIENE_REASONS } from '../../domain/token-hygiene.js';
import { printOut, printTable } from '../remote/output.js';
import type { Remote } from '../remote/client.js';
import { remoteCommand, run, UsageError } from '../remote/remote-command.js';
import { serviceAccountId } from './lookups.js';

/** The most tokens one bulk request takes. */
const BULK_MAX = 1000;

type Report = Answer<'/api/v1/orgs/{org}/tokens/report', 'get'>;
type Row = Report['items'][number];

const daysAgo = (at: string | null, now: string) =>
  at === null ? 'never' : `${Math.floor((Date.parse(now) - Date.parse(at)) / 86_400_000)}d ago`;

async function fetchReport(r: Remote, unusedDays?: string): Promise<Report> {
  const days = unusedDays === undefined ? undefined : Number(unusedDays);
  if (days !== undefined && !(Number.isInteger(days) && days >= 1 && days <= 3650))
    throw new UsageError(`--unused-days "${unusedDays}": a whole number of days from 1 to 3650`);
  return r.call(
    r.api.GET('/api/v1/orgs/{org}/tokens/report', {
      params: { path: { org: r.org }, query: days === undefined ? {} : { unusedDays: days } },
    }),
  );
}

/** `latchkey token report` and `latchkey token bulk` (docs/lifecycle.md, stale-token hygiene). */
export function addTokenHygieneCommands(token: Command): void {
  token.addCommand(
    remoteCommand(
      'report',
      'Stale-token hygiene: live tokens never or long unused, owned by people, of disabled service accounts, allowing http:// origins, with old or never-expiring private values, each with a suggested action',
    )
      .option(
        '--unused-days <days>',
        'days without a verification that make a token unused (server default: 90)',
      )
      .addOption(new Option('--reason <reason>', 'only rows with this finding').choices(HYGIENE_REASONS))
      .addHelpText(
        'after',
        '\nExamples:\n  latchkey token report --org acme\n  latchkey token report --org acme --reason user_owned --json\n  latchkey token bulk reassign --reason user_owned --service-account backend --org acme',
      )
      .action(
        run(
          async (
            r,
            o: { unusedDays?: string; reason?: Row['findings'][number]['reason']; json?: boolean },
          ) => {
            const report = await fetchReport(r, o.unusedDays);
            const items = o.reason
              ? report.items.filter((i) => i.findings.some((f) => f.reason === o.reason))
              : report.items;
            printOut(!!o.json, { ...report, items }, () => {
              printTable(items, [
                ['id', (t) => t.id],
                ['name', (t) => t.name],
                ['type', (t) => t.type],
                ['owner', (t) => (t.owner.type === 'user' ? `${t.owner.name} (person)` : t.owner.name)],
                ['last used', (t) => daysAgo(t.lastUsedAt, report.generatedAt)],
                ['findings', (t) => t.findings.map((f) => f.reason)],
                ['suggested', (t) => t.action],
              ]);
              const counts = Object.entries(report.counts).filter(([, n]) => n > 0);
              process.stdout.write(
                `\n${items.length} token(s) to look at${counts.length ? `: ${counts.map(([k, n]) => `${k} ${n}`).join(', ')}` : ''} (unused = ${report.unusedDays} days, old = ${report.rotateDays} days)\n`,
              );
            });
          },
        ),
      ),
  );

  token.addCommand(
    remoteCommand(
      'bulk',
      'One action on many tokens, all or nothing: the ids given, or every report row with --reason',
    )
      .addArgument(new Argument('<action>', 'what to do').choices(HYGIENE_ACTIONS))
      .argument('[token-ids...]', 'the tokens (or use --reason)')
      .addOption(
        new Option('--reason <reason>', 'every row of the report with this finding').choices(HYGIENE_REASONS),
      )
      .option('--unused-days <days>', 'with --reason: the report window')
      .option('--expires-at <iso-time>', 'set_expiry: the new expiry')
      .option('--service-account <name-or-id>', 'reassign: to this service account')
      .addOption(
        new Option('--permissions <mode>', 'reassign: keep (default) or the owner role')
          .choices(['keep', 'owner-role'])
          .default('keep'),
      )
      .addOption(
        new Option('--retire <when>', 'rotate: when the old values stop verifying')
          .choices(['on-first-use', 'now'])
          .default('on-first-use'),
      )
      .addHelpText(
        'after',
        '\nExamples:\n  latchkey token bulk revoke tok_… tok_… --org acme\n  latchkey token bulk reassign --reason user_owned --service-account backend --org acme\n  latchkey token bulk set_expiry --reason no_expiry --expires-at 2027-06-30T00:00:00Z --org acme\n  latchkey token bulk rotate tok_… --org acme --json   # prints the new values once',
      )
      .action(
        run(
          async (
            r,
            o: {
              reason?: Row['findings'][number]['reason'];
              unusedDays?: string;
              expiresAt?: string;
              serviceAccount?: string;
              permissions: string;
              retire: string;
              json?: boolean;
            },
            action: (typeof HYGIENE_ACTIONS)[number],
            given: string[],
          ) => {
            if (given.length > 0 === (o.reason !== undefined))
              throw new UsageError('give token ids or --reason, not both');
            const ids =
              o.reason === undefined
                ? given
                : (await fetchReport(r, o.unusedDays)).items
                    .filter((i) => i.findings.some((f) => f.reason === o.reason))
                    .map((i) => i.id);
            if (ids.length === 0) {
              printOut(!!o.json, { action, items: [] }, () => process.stdout.write('nothing to do\n'));
              return;
            }
            // The API takes 1,000 tokens per request, each request all or nothing.
            const res = { action, items: [] as { id: string; token: string | null }[] };
            for (let i = 0; i < ids.length; i += BULK_MAX) {
              const body = await bulkBody(r, action, ids.slice(i, i + BULK_MAX), o);
              try {
                const done = await r.call(
                  r.api.POST('/api/v1/orgs/{org}/tokens/bulk', { params: { path: { org: r.org } }, body }),
                );
                res.items.push(...done.items);
              } catch (e) {
                if (i > 0)
                  process.stderr.write(
                    `${i} token(s) in earlier batches of ${BULK_MAX} were changed; this batch and the rest were not.\n`,
                  );
                throw e;
              }
            }
            printOut(!!o.json, res, () => {
              if (action === 'rotate') {
                printTable(res.items, [
                  ['id', (i) => i.id],
                  ['new value', (i) => i.token],
                ]);
                process.stdout.write('\nStore the new values now: they will not be shown again.\n');
              } else process.stdout.write(`${action}: ${res.items.length} token(s) done\n`);
            });
          },
        ),
      ),
  );
}

type BulkBody = paths['/api/v1/orgs/{org}/tokens/bulk']['post']['requestBody']['content']['application/json'];

async function bulkBody(
  r: Remote,
  action: (typeof HYGIENE_ACTIONS)[number],
  ids: string[],
  o: { expiresAt?: string; serviceAccount?: string; permissions: string; retire: string },
): Promise<BulkBody> {
  switch (action) {
    case 'revoke':
    case 'use_https':
      return { action, ids };
    case 'set_expiry':
      if (o.expiresAt === undefined) throw new UsageError('set_expiry needs --expires-at <iso-time>');
      return { action, ids, expiresAt: o.expiresAt };
    case 'reassign':
      if (o.serviceAccount === undefined) throw new UsageError('reassign needs --service-account');
      return {
        action,
        ids,
        serviceAccountId: await serviceAccountId(r, o.serviceAccount),
        permissions: o.permissions === 'owner-role' ? 'owner_role' : 'keep',
      };
    case 'rotate':
      return { action, ids, retire: o.retire === 'now' ? 'now' : 'on_first_use' };
  }
}
