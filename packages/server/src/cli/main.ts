#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { bootstrapCommand } from './commands/bootstrap.js';
import { migrateCommand } from './commands/migrate.js';
import { serveCommand } from './commands/serve.js';
import { saCommand } from './commands/sa.js';
import { tokenCommand } from './commands/token.js';
import { memberCommand } from './commands/member.js';
import { inviteCommand } from './commands/invite.js';
import { roleCommand } from './commands/role.js';
import { auditCommand } from './commands/audit.js';
import { webhookCommand } from './commands/webhook.js';

/** `latchkey` — exit codes: 0 ok, 1 refused or failed, 2 usage error. */
const program = new Command('latchkey')
  .description('Service accounts and API tokens for your platform')
  .exitOverride()
  .configureOutput({ outputError: (str, write) => write(str) });
program.addCommand(serveCommand());
program.addCommand(migrateCommand());
program.addCommand(bootstrapCommand());
for (const group of [
  saCommand(),
  tokenCommand(),
  memberCommand(),
  inviteCommand(),
  roleCommand(),
  auditCommand(),
  webhookCommand(),
])
  program.addCommand(group);
// addCommand() does not pass the parent's settings down: usage errors must exit 2 everywhere.
const all = (c: Command): Command[] => [c, ...c.commands.flatMap(all)];
for (const command of all(program)) command.exitOverride();

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) {
    process.exit(e.exitCode === 0 ? 0 : 2);
  }
  throw e;
}
