import { Command } from 'commander';
import { printOut, printTable } from '../remote/output.js';
import { remoteCommand, run } from '../remote/remote-command.js';
import { memberIdByEmail, roleIdByName } from './lookups.js';

interface Member { userId: string; email: string; name: string; roleName: string; activeTokens: number; joinedAt: string }
const columns: [string, (m: Member) => unknown][] = [['user id', (m) => m.userId], ['email', (m) => m.email], ['name', (m) => m.name], ['role', (m) => m.roleName], ['tokens', (m) => m.activeTokens], ['joined', (m) => m.joinedAt]];

export function memberCommand(): Command {
  const member = new Command('member').description('Members (people) of an org').exitOverride();
  member.addCommand(
    remoteCommand('list', 'List members with the tokens they own')
      .action(run(async (r, o) => {
        const { items } = await r.get<{ items: Member[] }>(`/orgs/${r.org}/members`);
        printOut(!!o.json, items, () => printTable(items, columns));
      })),
  );
  member.addCommand(
    remoteCommand('remove', 'Remove a member (refused while they own active tokens: reassign them first)')
      .argument('<member>', 'email or user id')
      .addHelpText('after', '\nExample:\n  latchkey token reassign --from-user alice@acme.com --to storefront-bot --org acme\n  latchkey member remove alice@acme.com --org acme')
      .action(run(async (r, o, who: string) => {
        await r.delete(`/orgs/${r.org}/members/${encodeURIComponent(await memberIdByEmail(r, who))}`);
        printOut(!!o.json, { removed: who }, () => process.stdout.write(`removed ${who}\n`));
      })),
  );
  member.addCommand(
    remoteCommand('role', "Change a member's role")
      .argument('<member>', 'email or user id')
      .argument('<role>', 'role name or id')
      .addHelpText('after', '\nExample:\n  latchkey member role alice@acme.com Admin --org acme')
      .action(run(async (r, o, who: string, role: string) => {
        const m = await r.patch<Member>(`/orgs/${r.org}/members/${encodeURIComponent(await memberIdByEmail(r, who))}`, { roleId: await roleIdByName(r, role) });
        printOut(!!o.json, m, () => printTable([m], columns));
      })),
  );
  return member;
}
