import cluster from 'node:cluster';
import { Command } from 'commander';
import { configOrExit } from '../config-or-exit.js';
import { settingsHelp } from '../../config/settings.js';
import { redactedDatabaseUrl, startupBanner } from '../startup-banner.js';

export function serveCommand(): Command {
  return new Command('serve')
    .description('Start the Latchkey server (reads PORT, HOST, DATABASE_URL, … from the environment)')
    .addHelpText(
      'after',
      `\nSettings (environment, or camelCase keys in the JSON file named by LATCHKEY_CONFIG):\n${settingsHelp()}`,
    )
    .option(
      '--workers <n>',
      'processes serving HTTP on the one port: 1 to 256, or auto (one per CPU); default LATCHKEY_WORKERS or 1',
    )
    .action(async (opts: { workers?: string }) => {
      // The flag wins over LATCHKEY_WORKERS and is checked by the same rule (a bad value exits 2).
      const config = await configOrExit({ LATCHKEY_WORKERS: opts.workers });
      // Loaded here, not at the top: the remote admin commands should not pay for the server's start-up.
      const { createLogger } = await import('../../logger.js');
      const logger = createLogger(config.logLevel);
      if (cluster.isWorker) {
        const { runWorker } = await import('../../cluster/worker.js');
        return runWorker(config, logger);
      }
      if (config.workers > 1) {
        const { runPrimary } = await import('../../cluster/primary.js');
        return runPrimary(config, logger);
      }
      // One worker: a single process exactly as without clustering.
      const { createLatchkey } = await import('../../server.js');
      const lk = await createLatchkey(config, logger);
      // Issued before listening, and printed in one write with the banner: whoever sees the service up
      // (or reads the banner) already has the link.
      const setupLink = await lk.services.setup.issueSetupLink();
      const address = await lk.app.listen({ port: config.port, host: config.host });
      logger.info({ address, database: redactedDatabaseUrl(config.databaseUrl) }, 'latchkey listening');
      process.stdout.write(startupBanner(config.publicUrl, setupLink));
      let closing = false;
      const shutdown = (signal: string) => {
        if (closing) return;
        closing = true;
        logger.info({ signal }, 'shutting down');
        lk.close().then(
          () => process.exit(0),
          (err: unknown) => {
            logger.error({ err }, 'shutdown failed');
            process.exit(1);
          },
        );
      };
      process.on('SIGINT', () => shutdown('SIGINT'));
      process.on('SIGTERM', () => shutdown('SIGTERM'));
    });
}
