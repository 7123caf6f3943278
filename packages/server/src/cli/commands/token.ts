import { Command, Option } from 'commander';
import { printJson, printOut, printTable } from '../remote/output.js';
import { remoteCommand, run, UsageError } from '../remote/remote-command.js';
import { memberIdByEmail, serviceAccountId } from './lookups.js';
import { addTokenHygieneCommands } from './token-hygiene.js';
import { addTokenLifecycleCommands } from './token-lifecycle.js';
import { limitOptions, limitSettings, type LimitOptionValues } from './token-limit-options.js';
import { inOrg, type Token, type TokenPage, type TokenQuery } from '../remote/types.js';

const columns: [string, (t: Token) => unknown][] = [
  ['id', (t) => t.id],
  ['name', (t) => t.name],
  ['type', (t) => t.type],
  ['hint', (t) => t.hint],
  ['status', (t) => t.status],
  ['owner', (t) => (t.owner.type === 'user' ? `${t.owner.email} (user)` : t.owner.name)],
  ['domains', (t) => t.domains],
  ['expires', (t) => t.expiresAt],
  ['last used', (t) => t.lastUsedAt],
];
const list = (v: string) =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

export function tokenCommand(): Command {
  const token = new Command('token').description('API tokens').exitOverride();
  token.addCommand(
    remoteCommand('list', 'List tokens (active by default)')
      .option('--owner <account-or-email>', 'a service account (name or id) or a member (email or id)')
      .addOption(new Option('--type <type>').choices(['public', 'private']))
      .addOption(
        new Option('--status <status>').choices(['active', 'revoked', 'expired', 'all']).default('active'),
      )
      .option('--search <text>', 'name contains')
      .addHelpText('after', '\nExample:\n  latchkey token list --org acme --owner storefront-bot --json')
      .action(
        run(
          async (
            r,
            o: { owner?: string; type?: string; status: string; search?: string; json?: boolean },
          ) => {
            let owner: string | undefined;
            if (o.owner)
              owner =
                o.owner.includes('@') || o.owner.startsWith('usr_')
                  ? await memberIdByEmail(r, o.owner)
                  : await serviceAccountId(r, o.owner);
            const items: Token[] = [];
            let cursor: string | null = null;
            do {
              // commander checks --type and --status against the same choices the schema allows.
              const query = {
                status: o.status as TokenQuery['status'],
                limit: 200,
                ...(owner ? { owner } : {}),
                ...(o.type ? { type: o.type as TokenQuery['type'] } : {}),
                ...(o.search ? { search: o.search } : {}),
                ...(cursor ? { cursor } : {}),
              };
              const page: TokenPage = await r.call(
                r.api.GET('/api/v1/orgs/{org}/tokens', { params: { path: { org: r.org }, query } }),
              );
              items.push(...page.items);
              cursor = page.nextCursor;
            } while (cursor);
            printOut(!!o.json, items, () => printTable(items, columns));
          },
        ),
      ),
  );
  token.addCommand(
    remoteCommand('create', 'Create a token for a service account; prints its value (shown only this once)')
      .argument('<name>')
      .requiredOption('--service-account <account>', 'the owning service account (name or id)')
      .addOption(new Option('--type <type>').choices(['public', 'private']).default('private'))
      .option('--domains <origins>', 'comma-separated allowed origins (public tokens)', list)
      .option('--allowed-ips <ranges>', 'comma-separated addresses or CIDR ranges it may be used from', list)
      .addOption(enforcementOption())
      .addOption(limitOptions.rateLimit())
      .addOption(limitOptions.quota())
      .addOption(limitOptions.quotaRefill())
      .option('--permissions <permissions>', 'comma-separated, e.g. assets:view', list)
      .option('--expires-at <iso-date>')
      .addHelpText(
        'after',
        '\nExamples:\n  latchkey token create backend --org acme --service-account storefront-bot\n  latchkey token create site --org acme --service-account storefront-bot --type public --domains https://shop.acme.com',
      )
      .action(
        run(async (r, o: TokenSettingOptions & { serviceAccount: string; type: string }, name: string) => {
          const body = {
            name,
            serviceAccountId: await serviceAccountId(r, o.serviceAccount),
            type: o.type as 'public' | 'private',
            ...(o.domains ? { domains: o.domains } : {}),
            ...(o.allowedIps ? { allowedIps: o.allowedIps } : {}),
            ...(o.enforcement ? { enforcement: o.enforcement } : {}),
            ...limitSettings(o),
            ...(o.permissions ? { permissions: o.permissions } : {}),
            ...(o.expiresAt ? { expiresAt: o.expiresAt } : {}),
          };
          const res = await r.call(r.api.POST('/api/v1/orgs/{org}/tokens', { ...inOrg(r.org), body }));
          printOut(!!o.json, res, () => {
            printTable([res.item], columns);
            process.stdout.write(
              `\ntoken: ${res.token}\n${res.item.type === 'private' ? 'Store it now: it will not be shown again.\n' : ''}`,
            );
          });
        }),
      ),
  );
  token.addCommand(
    remoteCommand('show', 'Show one token (never a private value)')
      .argument('<token-id>')
      .action(
        run(async (r, o, id: string) => {
          const t = await r.call(
            r.api.GET('/api/v1/orgs/{org}/tokens/{id}', { params: { path: { org: r.org, id } } }),
          );
          printOut(!!o.json, t, () => printTable([t], columns));
        }),
      ),
  );
  token.addCommand(
    remoteCommand(
      'usage',
      "A token's verifications per UTC day (valid, refusals by code) and where it was used from",
    )
      .argument('<token-id>')
      .option('--from <day>', 'YYYY-MM-DD (default: 29 days before --to)')
      .option('--to <day>', 'YYYY-MM-DD (default: today)')
      .addHelpText(
        'after',
        '\nExample:\n  latchkey token usage tok_… --org acme --from 2026-06-01 --to 2026-06-30',
      )
      .action(
        run(async (r, o: { from?: string; to?: string; json?: boolean }, id: string) => {
          const query = { ...(o.from ? { from: o.from } : {}), ...(o.to ? { to: o.to } : {}) };
          const u = await r.call(
            r.api.GET('/api/v1/orgs/{org}/tokens/{id}/usage', {
              params: { path: { org: r.org, id }, query },
            }),
          );
          printOut(!!o.json, u, () => {
            printTable(u.days, [
              ['day', (d) => d.day],
              ['valid', (d) => d.valid],
              [
                'refused',
                (d) =>
                  Object.entries(d.refused)
                    .map(([code, n]) => `${code} ${n}`)
                    .join(', '),
              ],
            ]);
            for (const [title, rows] of [
              ['origins', u.origins],
              ['addresses', u.addresses],
            ] as const) {
              process.stdout.write(`\n${title}:\n`);
              if (rows.length === 0) process.stdout.write('  none yet\n');
              else
                printTable(rows, [
                  ['value', (x) => x.value],
                  ['uses', (x) => x.count],
                  ['first seen', (x) => x.firstSeenAt],
                  ['last seen', (x) => x.lastSeenAt],
                ]);
            }
          });
        }),
      ),
  );
  token.addCommand(
    remoteCommand(
      'update',
      "Change a token's name, domains, IP allowlist, enforcement, rate limits, quota, permissions or expiry",
    )
      .argument('<token-id>')
      .option('--name <name>')
      .option('--domains <origins>', 'comma-separated (replaces the list)', list)
      .option('--allowed-ips <ranges>', 'comma-separated (replaces the list); "none": from anywhere', list)
      .addOption(enforcementOption())
      .addOption(limitOptions.rateLimit())
      .addOption(limitOptions.quota())
      .addOption(limitOptions.quotaRefill())
      .option('--permissions <permissions>', 'comma-separated (replaces the list)', list)
      .option('--expires-at <iso-date>', 'or "never"')
      .addHelpText(
        'after',
        '\nExamples:\n  latchkey token update tok_… --org acme --domains https://a.acme.com,https://b.acme.com\n  latchkey token update tok_… --org acme --allowed-ips 203.0.113.0/24 --enforcement report_only\n  latchkey token update tok_… --org acme --rate-limit burst=50/1 --rate-limit daily=10000/86400 --quota 100000 --quota-refill 100000/month',
      )
      .action(
        run(async (r, o: TokenSettingOptions & { name?: string }, id: string) => {
          const body = {
            ...(o.name ? { name: o.name } : {}),
            ...(o.domains ? { domains: o.domains } : {}),
            ...(o.allowedIps
              ? { allowedIps: o.allowedIps.length === 1 && o.allowedIps[0] === 'none' ? [] : o.allowedIps }
              : {}),
            ...(o.enforcement ? { enforcement: o.enforcement } : {}),
            ...limitSettings(o),
            ...(o.permissions ? { permissions: o.permissions } : {}),
            ...(o.expiresAt ? { expiresAt: o.expiresAt === 'never' ? null : o.expiresAt } : {}),
          };
          if (Object.keys(body).length === 0)
            throw new UsageError(
              'nothing to change: give --name, --domains, --allowed-ips, --enforcement, --rate-limit, --quota, --permissions or --expires-at',
            );
          const t = await r.call(
            r.api.PATCH('/api/v1/orgs/{org}/tokens/{id}', { params: { path: { org: r.org, id } }, body }),
          );
          printOut(!!o.json, t, () => printTable([t], columns));
        }),
      ),
  );
  token.addCommand(
    remoteCommand('revoke', 'Revoke a token: it stops working at once')
      .argument('<token-id>')
      .action(
        run(async (r, o, id: string) => {
          await r.call(
            r.api.DELETE('/api/v1/orgs/{org}/tokens/{id}', { params: { path: { org: r.org, id } } }),
          );
          printOut(!!o.json, { revoked: id }, () => process.stdout.write(`revoked ${id}\n`));
        }),
      ),
  );
  token.addCommand(
    remoteCommand(
      'reassign',
      "Move a token — or all of a member's tokens (--from-user) — to a service account; values do not change",
    )
      .argument('[token-id]')
      .requiredOption('--to <account>', 'the service account (name or id)')
      .option('--from-user <email>', 'move every active token this member owns, in one transaction')
      .addHelpText(
        'after',
        '\nExamples:\n  latchkey token reassign tok_… --to storefront-bot --org acme\n  latchkey token reassign --from-user alice@acme.com --to storefront-bot --org acme',
      )
      .action(
        run(async (r, o: { to: string; fromUser?: string; json?: boolean }, id?: string) => {
          if ((id === undefined) === (o.fromUser === undefined))
            throw new UsageError('give either a token id or --from-user <email>');
          const sa = await serviceAccountId(r, o.to);
          if (o.fromUser) {
            const userId = await memberIdByEmail(r, o.fromUser);
            const res = await r.call(
              r.api.POST('/api/v1/orgs/{org}/members/{userId}/reassign-tokens', {
                params: { path: { org: r.org, userId } },
                body: { serviceAccountId: sa },
              }),
            );
            printOut(!!o.json, res, () =>
              process.stdout.write(
                `reassigned ${res.reassigned.length} token(s) from ${o.fromUser} to ${o.to}\n`,
              ),
            );
            return;
          }
          const t = await r.call(
            r.api.POST('/api/v1/orgs/{org}/tokens/{id}/reassign', {
              params: { path: { org: r.org, id: id! } },
              body: { serviceAccountId: sa },
            }),
          );
          printOut(!!o.json, t, () => printTable([t], columns));
        }),
      ),
  );
  token.addCommand(
    remoteCommand('import', 'Import legacy tokens from a CSV or JSON-lines file: all rows or none')
      .requiredOption(
        '--file <path>',
        'tokens.csv or tokens.jsonl (fields: ownerEmail, name, type, domains, value or sha256, expiresAt, allowedIps, enforcement; at most 2,000 rows)',
      )
      .option('--dry-run', 'check every row and report; change nothing')
      .addHelpText(
        'after',
        '\nExamples:\n  latchkey token import --file tokens.csv --dry-run --org acme\n  latchkey token import --file tokens.jsonl --org acme',
      )
      .action(
        run(async (r, o: { file: string; dryRun?: boolean; json?: boolean }) => {
          // Loaded only here: every other CLI call starts without the CSV parser.
          const { readImportFile } = await import('./token-file.js');
          const rows = readImportFile(o.file);
          if (rows.length === 0) throw new UsageError(`${o.file} has no rows`);
          const res = await r.call(
            r.api.POST('/api/v1/orgs/{org}/tokens/import', {
              ...inOrg(r.org),
              body: { dryRun: !!o.dryRun, tokens: rows },
            }),
          );
          if (o.json) return printJson(res);
          const bad = res.rows.filter((x) => !x.ok);
          printTable(o.dryRun ? res.rows : bad, [
            ['row', (x) => x.index + 1],
            ['result', (x) => (x.ok ? 'ok' : x.code)],
            ['message', (x) => x.message ?? ''],
          ]);
          process.stdout.write(
            o.dryRun
              ? `\ndry run: ${res.rows.length - bad.length} of ${res.rows.length} row(s) would import; nothing changed\n`
              : `\nimported ${res.imported} token(s)\n`,
          );
          if (o.dryRun && bad.length > 0) process.exitCode = 1;
        }),
      ),
  );
  addTokenLifecycleCommands(token);
  addTokenHygieneCommands(token);
  return token;
}

/** --enforcement: whether the origin and IP allowlists refuse or only report (docs/verification.md). */
function enforcementOption(): Option {
  return new Option(
    '--enforcement <mode>',
    'enforce (refuse what the allowlists do not list) or report_only (allow, warn and count)',
  ).choices(['enforce', 'report_only']);
}

/** The options create and update share (commander's parsed values). */
interface TokenSettingOptions extends LimitOptionValues {
  domains?: string[];
  allowedIps?: string[];
  enforcement?: 'enforce' | 'report_only';
  permissions?: string[];
  expiresAt?: string;
  json?: boolean;
}
