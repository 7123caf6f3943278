import { Command } from 'commander';
import { configOrExit } from '../config-or-exit.js';

export function migrateCommand(): Command {
  return new Command('migrate')
    .description('Bring the database schema up to date (safe to run repeatedly)')
    .action(async () => {
      const config = await configOrExit();
      const { openDatabase } = await import('../../store/dialect.js');
      const { migrateToLatest } = await import('../../store/migrate.js');
      const handle = openDatabase(config.databaseUrl);
      try {
        const result = await migrateToLatest(handle);
        const applied =
          result.results?.filter((r) => r.status === 'Success').map((r) => r.migrationName) ?? [];
        process.stdout.write(applied.length ? `Applied: ${applied.join(', ')}\n` : 'Schema is up to date.\n');
      } finally {
        await handle.close();
      }
    });
}
