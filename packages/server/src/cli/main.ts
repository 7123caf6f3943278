#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { bootstrapCommand } from './commands/bootstrap.js';
import { migrateCommand } from './commands/migrate.js';
import { serveCommand } from './commands/serve.js';

/** `latchkey` — exit codes: 0 ok, 1 refused or failed, 2 usage error. */
const program = new Command('latchkey')
  .description('Service accounts and API tokens for your platform')
  .exitOverride()
  .configureOutput({ outputError: (str, write) => write(str) });
program.addCommand(serveCommand());
program.addCommand(migrateCommand());
program.addCommand(bootstrapCommand());
// addCommand() does not pass the parent's settings down: usage errors must exit 2 everywhere.
for (const command of program.commands) command.exitOverride();

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) {
    process.exit(e.exitCode === 0 ? 0 : 2);
  }
  throw e;
}
