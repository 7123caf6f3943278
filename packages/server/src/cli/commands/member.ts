import { Command } from 'commander';
import { printOut, printTable } from '../remote/output.js';
import { remoteCommand, run } from '../remote/remote-command.js';
import { inOrg, type Member } from '../remote/types.js';
import { memberIdByEmail, roleIdByName } from './lookups.js';

const columns: [string, (m: Member) => unknown][] = [
  ['user id', (m) => m.userId],
  ['email', (m) => m.email],
  ['name', (m) => m.name],
  ['role', (m) => m.roleName],
  ['tokens', (m) => m.activeTokens],
  ['joined', (m) => m.joinedAt],
];

export function memberCommand(): Command {
  const member = new Command('member').description('Members (people) of an org').exitOverride();
  member.addCommand(
    remoteCommand('list', 'List members with the tokens they own').action(
      run(async (r, o) => {
        const { items } = await r.call(r.api.GET('/api/v1/orgs/{org}/members', inOrg(r.org)));
        printOut(!!o.json, items, () => printTable(items, columns));
      }),
    ),
  );
  member.addCommand(
    remoteCommand('remove', 'Remove a member (refused while they own active tokens: reassign them first)')
      .argument('<member>', 'email or user id')
      .addHelpText(
        'after',
        '\nExample:\n  latchkey token reassign --from-user alice@acme.com --to storefront-bot --org acme\n  latchkey member remove alice@acme.com --org acme',
      )
      .action(
        run(async (r, o, who: string) => {
          await r.call(
            r.api.DELETE('/api/v1/orgs/{org}/members/{userId}', {
              params: { path: { org: r.org, userId: await memberIdByEmail(r, who) } },
            }),
          );
          printOut(!!o.json, { removed: who }, () => process.stdout.write(`removed ${who}\n`));
        }),
      ),
  );
  member.addCommand(
    remoteCommand('role', "Change a member's role")
      .argument('<member>', 'email or user id')
      .argument('<role>', 'role name or id')
      .addHelpText('after', '\nExample:\n  latchkey member role alice@acme.com Admin --org acme')
      .action(
        run(async (r, o, who: string, role: string) => {
          const m = await r.call(
            r.api.PATCH('/api/v1/orgs/{org}/members/{userId}', {
              params: { path: { org: r.org, userId: await memberIdByEmail(r, who) } },
              body: { roleId: await roleIdByName(r, role) },
            }),
          );
          printOut(!!o.json, m, () => printTable([m], columns));
        }),
      ),
  );
  return member;
}
