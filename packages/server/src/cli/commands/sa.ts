import { Command } from 'commander';
import { printOut, printTable } from '../remote/output.js';
import { remoteCommand, run } from '../remote/remote-command.js';
import { inOrg, type ServiceAccount as Sa } from '../remote/types.js';
import { roleIdByName } from './lookups.js';
import { limitOptions, limitSettings, type LimitOptionValues } from './token-limit-options.js';

const columns: [string, (s: Sa) => unknown][] = [
  ['id', (s) => s.id],
  ['name', (s) => s.name],
  ['role', (s) => s.roleName],
  ['status', (s) => s.status],
  ['tokens', (s) => s.activeTokens],
  ['rate limits', (s) => s.rateLimits.map((w) => `${w.name}=${w.limit}/${w.windowSeconds}`).join(' ')],
  ['contact', (s) => s.contactEmail ?? ''],
  ['created', (s) => s.createdAt],
];

export function saCommand(): Command {
  const sa = new Command('sa').description('Service accounts').exitOverride();
  sa.addCommand(
    remoteCommand('list', 'List service accounts')
      .addHelpText('after', '\nExample:\n  latchkey sa list --org acme --json')
      .action(
        run(async (r, o) => {
          const { items } = await r.call(r.api.GET('/api/v1/orgs/{org}/service-accounts', inOrg(r.org)));
          printOut(!!o.json, items, () => printTable(items, columns));
        }),
      ),
  );
  sa.addCommand(
    remoteCommand('create', 'Create a service account (letters, digits, "-" and "_" only)')
      .argument('<name>')
      .option('--role <role>', 'role name or id (default: Viewer)')
      .option('--description <text>')
      .option('--contact-email <address>', "where its tokens' expiry notices go, besides the org's Owners")
      .addOption(limitOptions.rateLimit())
      .addHelpText(
        'after',
        '\nExamples:\n  latchkey sa create storefront-bot --org acme --role Viewer\n  latchkey sa create partner-sync --org acme --rate-limit minute=600/60 --contact-email team-sync@acme.test',
      )
      .action(
        run(
          async (
            r,
            o: {
              role?: string;
              description?: string;
              contactEmail?: string;
              json?: boolean;
            } & LimitOptionValues,
            name: string,
          ) => {
            const roleId = o.role ? await roleIdByName(r, o.role) : undefined;
            const created = await r.call(
              r.api.POST('/api/v1/orgs/{org}/service-accounts', {
                ...inOrg(r.org),
                body: {
                  name,
                  ...(roleId ? { roleId } : {}),
                  ...(o.description ? { description: o.description } : {}),
                  ...(o.contactEmail ? { contactEmail: o.contactEmail } : {}),
                  ...limitSettings({ rateLimit: o.rateLimit }),
                },
              }),
            );
            printOut(!!o.json, created, () => printTable([created], columns));
          },
        ),
      ),
  );
  sa.addCommand(
    remoteCommand('rename', 'Rename a service account')
      .argument('<account>', 'name or id')
      .argument('<new-name>')
      .addHelpText('after', '\nExample:\n  latchkey sa rename storefront-bot shop-bot --org acme')
      .action(
        run(async (r, o, account: string, newName: string) => {
          const s = await r.call(
            r.api.PATCH('/api/v1/orgs/{org}/service-accounts/{id}', {
              params: { path: { org: r.org, id: account } },
              body: { name: newName },
            }),
          );
          printOut(!!o.json, s, () => printTable([s], columns));
        }),
      ),
  );
  sa.addCommand(
    remoteCommand(
      'contact',
      "Set where its tokens' expiry notices go besides the org's Owners (a service account has no inbox)",
    )
      .argument('<account>', 'name or id')
      .argument('<address>', 'an e-mail address, or "none"')
      .addHelpText('after', '\nExample:\n  latchkey sa contact partner-sync team-sync@acme.test --org acme')
      .action(
        run(async (r, o, account: string, address: string) => {
          const s = await r.call(
            r.api.PATCH('/api/v1/orgs/{org}/service-accounts/{id}', {
              params: { path: { org: r.org, id: account } },
              body: { contactEmail: address === 'none' ? null : address },
            }),
          );
          printOut(!!o.json, s, () => printTable([s], columns));
        }),
      ),
  );
  sa.addCommand(
    remoteCommand('limits', 'Set the rate-limit windows its tokens inherit when they have none of their own')
      .argument('<account>', 'name or id')
      .addOption(limitOptions.rateLimit().makeOptionMandatory())
      .addHelpText(
        'after',
        '\nExamples:\n  latchkey sa limits partner-sync --org acme --rate-limit minute=600/60 --rate-limit day=100000/86400\n  latchkey sa limits partner-sync --org acme --rate-limit none',
      )
      .action(
        run(async (r, o: LimitOptionValues & { json?: boolean }, account: string) => {
          const s = await r.call(
            r.api.PATCH('/api/v1/orgs/{org}/service-accounts/{id}', {
              params: { path: { org: r.org, id: account } },
              body: limitSettings({ rateLimit: o.rateLimit }),
            }),
          );
          printOut(!!o.json, s, () => printTable([s], columns));
        }),
      ),
  );
  for (const [verb, disabled] of [
    ['disable', true],
    ['enable', false],
  ] as const) {
    sa.addCommand(
      remoteCommand(
        verb,
        disabled
          ? 'Disable (suspend) a service account: none of its tokens authenticate until enabled'
          : 'Enable (resume) a disabled service account',
      )
        // The same words as for one token (latchkey token suspend/resume).
        .alias(disabled ? 'suspend' : 'resume')
        .argument('<account>', 'name or id')
        .addHelpText('after', `\nExample:\n  latchkey sa ${verb} storefront-bot --org acme`)
        .action(
          run(async (r, o, account: string) => {
            const s = await r.call(
              r.api.PATCH('/api/v1/orgs/{org}/service-accounts/{id}', {
                params: { path: { org: r.org, id: account } },
                body: { disabled },
              }),
            );
            printOut(!!o.json, s, () => printTable([s], columns));
          }),
        ),
    );
  }
  sa.addCommand(
    remoteCommand(
      'delete',
      'Delete a service account (refused while it owns active tokens, unless --revoke-tokens)',
    )
      .argument('<account>', 'name or id')
      .option('--revoke-tokens', 'revoke its active tokens in the same step')
      .addHelpText('after', '\nExample:\n  latchkey sa delete old-bot --org acme --revoke-tokens')
      .action(
        run(async (r, o: { revokeTokens?: boolean; json?: boolean }, account: string) => {
          const res = await r.call(
            r.api.DELETE('/api/v1/orgs/{org}/service-accounts/{id}', {
              params: {
                path: { org: r.org, id: account },
                query: o.revokeTokens ? { revokeTokens: true } : {},
              },
            }),
          );
          printOut(!!o.json, { deleted: account, ...res }, () =>
            process.stdout.write(
              `deleted ${account}${res.revokedTokens.length ? `; revoked ${res.revokedTokens.join(', ')}` : ''}\n`,
            ),
          );
        }),
      ),
  );
  return sa;
}
