import { Command } from 'commander';
import { printOut, printTable } from '../remote/output.js';
import { remoteCommand, run } from '../remote/remote-command.js';
import { inOrg, type Role } from '../remote/types.js';

const columns: [string, (x: Role) => unknown][] = [
  ['id', (x) => x.id],
  ['name', (x) => x.name],
  ['built-in', (x) => (x.builtin ? 'yes' : 'no')],
  ['permissions', (x) => x.permissions],
];

export function roleCommand(): Command {
  const role = new Command('role').description('Roles').exitOverride();
  role.addCommand(
    remoteCommand('list', 'List roles with their permissions').action(
      run(async (r, o) => {
        const { items } = await r.call(r.api.GET('/api/v1/orgs/{org}/roles', inOrg(r.org)));
        printOut(!!o.json, items, () => printTable(items, columns));
      }),
    ),
  );
  role.addCommand(
    remoteCommand('create', 'Create a custom role')
      .argument('<name>')
      .requiredOption(
        '--permissions <permissions>',
        'comma-separated, e.g. assets:view,orders:edit',
        (v: string) =>
          v
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean),
      )
      .option('--description <text>')
      .addHelpText(
        'after',
        '\nExample:\n  latchkey role create "Storefront reader" --permissions assets:view,configurations:view --org acme',
      )
      .action(
        run(async (r, o: { permissions: string[]; description?: string; json?: boolean }, name: string) => {
          const created = await r.call(
            r.api.POST('/api/v1/orgs/{org}/roles', {
              ...inOrg(r.org),
              body: {
                name,
                permissions: o.permissions,
                ...(o.description ? { description: o.description } : {}),
              },
            }),
          );
          printOut(!!o.json, created, () => printTable([created], columns));
        }),
      ),
  );
  return role;
}
