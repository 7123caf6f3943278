import { Command } from 'commander';
import { loadConfig } from '../../config/config.js';
import { configOrExit } from '../config-or-exit.js';

export function serveCommand(): Command {
  return new Command('serve')
    .description('Start the Latchkey server (reads PORT, HOST, DATABASE_URL, … from the environment)')
    .action(async () => {
      const config = configOrExit(loadConfig);
      // Loaded here, not at the top: the remote admin commands should not pay for the server's start-up.
      const { createLogger } = await import('../../logger.js');
      const { createLatchkey } = await import('../../server.js');
      const logger = createLogger(config.logLevel);
      const lk = await createLatchkey(config, logger);
      // Issued before listening, and printed in one write with the banner: whoever sees the service up
      // (or reads the banner) already has the link.
      const setupLink = await lk.services.setup.issueSetupLink();
      const address = await lk.app.listen({ port: config.port, host: config.host });
      logger.info({ address, database: config.databaseUrl.replace(/\/\/[^@]*@/, '//***@') }, 'latchkey listening');
      const firstRun = setupLink ? `\nFirst run: open this one-time link to create the first owner and org:\n\n  ${setupLink}\n\n` : '';
      process.stdout.write(`\nLatchkey is running at ${config.publicUrl}  (API docs: ${config.publicUrl}/docs)\n${firstRun}`);
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
