import { Command } from 'commander';
import { AppError } from '../../domain/errors.js';
import { configOrExit } from '../config-or-exit.js';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

export function bootstrapCommand(): Command {
  return new Command('bootstrap')
    .description(
      'Create an org and its first owner without the browser; optionally an admin service account and token',
    )
    .requiredOption('--org <slug>', 'slug of the org to create')
    .option('--org-name <name>', 'display name of the org (defaults to the slug)')
    .requiredOption(
      '--email <email>',
      "the owner's email (an existing user is reused if the password matches)",
    )
    .option('--name <name>', "the owner's name")
    .requiredOption('--password-stdin', "read the owner's password from standard input")
    .option(
      '--admin-token',
      'also create an "admin" service account (Admin role) and print a private token for it',
    )
    .addHelpText(
      'after',
      '\nExample:\n  echo "$OWNER_PASSWORD" | latchkey bootstrap --org acme --email owner@acme.test --password-stdin --admin-token\n',
    )
    .action(
      async (opts: { org: string; orgName?: string; email: string; name?: string; adminToken?: boolean }) => {
        const config = await configOrExit();
        const password = await readStdin();
        const { createLogger } = await import('../../logger.js');
        const { createLatchkey } = await import('../../server.js');
        const { serviceAccountView } = await import('../../services/views.js');
        const lk = await createLatchkey(config, createLogger('warn'));
        try {
          const r = await lk.services.setup.bootstrap({
            slug: opts.org,
            orgName: opts.orgName,
            email: opts.email,
            name: opts.name,
            password,
            adminToken: opts.adminToken ?? false,
          });
          const out = {
            org: { id: r.org.id, slug: r.org.slug, name: r.org.name },
            user: { id: r.user.id, email: r.user.email },
            ...(r.serviceAccount
              ? { serviceAccount: serviceAccountView(r.serviceAccount), tokenId: r.tokenId, token: r.token }
              : {}),
          };
          process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
        } catch (e) {
          if (e instanceof AppError) {
            process.stderr.write(`latchkey bootstrap: ${e.code}: ${e.message}\n`);
            process.exitCode = 1;
            return;
          }
          throw e;
        } finally {
          await lk.close();
        }
      },
    );
}
