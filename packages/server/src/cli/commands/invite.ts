import { Command } from 'commander';
import { printOut, printTable } from '../remote/output.js';
import { remoteCommand, run } from '../remote/remote-command.js';
import { inOrg, type Invitation } from '../remote/types.js';
import { roleIdByName } from './lookups.js';

const columns: [string, (i: Invitation) => unknown][] = [
  ['id', (i) => i.id],
  ['email', (i) => i.email],
  ['role', (i) => i.roleName],
  ['status', (i) => i.status],
  ['expires', (i) => i.expiresAt],
];

export function inviteCommand(): Command {
  const invite = new Command('invite').description('Invitations').exitOverride();
  invite.addCommand(
    remoteCommand(
      'create',
      'Invite someone by email; prints the single-use link (shown only now), unless the server e-mails it',
    )
      .argument('<email>')
      .requiredOption('--role <role>', 'role name or id')
      .addHelpText('after', '\nExample:\n  latchkey invite create bob@acme.com --role Viewer --org acme')
      .action(
        run(async (r, o: { role: string; json?: boolean }, email: string) => {
          const res = await r.call(
            r.api.POST('/api/v1/orgs/{org}/invitations', {
              ...inOrg(r.org),
              body: { email, roleId: await roleIdByName(r, o.role) },
            }),
          );
          printOut(
            !!o.json,
            { invitation: res.invitation, link: res.link ?? null, emailed: res.emailed },
            () => {
              printTable([res.invitation], columns);
              // With SMTP the link goes to the address only (it proves the invitee reads that mailbox).
              if (res.link) process.stdout.write(`\nlink: ${res.link}\n`);
              else
                process.stdout.write(
                  res.emailed
                    ? `\nThe link was e-mailed to ${email}.\n`
                    : '\nThe e-mail could not be sent: revoke this invitation and try again once SMTP works.\n',
                );
            },
          );
        }),
      ),
  );
  invite.addCommand(
    remoteCommand('list', 'List open invitations').action(
      run(async (r, o) => {
        const { items } = await r.call(r.api.GET('/api/v1/orgs/{org}/invitations', inOrg(r.org)));
        printOut(!!o.json, items, () => printTable(items, columns));
      }),
    ),
  );
  invite.addCommand(
    remoteCommand('revoke', 'Revoke an open invitation')
      .argument('<invitation-id>')
      .action(
        run(async (r, o, id: string) => {
          await r.call(
            r.api.DELETE('/api/v1/orgs/{org}/invitations/{id}', { params: { path: { org: r.org, id } } }),
          );
          printOut(!!o.json, { revoked: id }, () => process.stdout.write(`revoked ${id}\n`));
        }),
      ),
  );
  return invite;
}
