import { Command, Option } from 'commander';
import { remoteCommand, run } from '../remote/remote-command.js';

interface Entry { id: string; at: string; action: string; actor: { type: string; id: string | null; label: string | null }; target: { type: string; id: string | null }; ip: string | null; before: unknown; after: unknown }

const csv = (v: unknown) => {
  const s = v === null || v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

export function auditCommand(): Command {
  const audit = new Command('audit').description('Audit log').exitOverride();
  audit.addCommand(
    remoteCommand('export', 'Export the audit log, newest first, as JSON lines (default) or CSV')
      .addOption(new Option('--format <format>').choices(['jsonl', 'csv']).default('jsonl'))
      .option('--since <iso-date>', 'from this time on')
      .option('--until <iso-date>', 'before this time')
      .option('--action <action>', 'only this action, e.g. token.revoke')
      .addHelpText('after', '\nExample:\n  latchkey audit export --org acme --since 2026-01-01T00:00:00Z --format csv > audit.csv')
      .action(run(async (r, o: { format: string; since?: string; until?: string; action?: string; json?: boolean }) => {
        if (o.format === 'csv') process.stdout.write('at,action,actor_type,actor_id,actor,target_type,target_id,ip,before,after\n');
        let cursor: string | null = null;
        do {
          const q = new URLSearchParams({ limit: '200', ...(o.since ? { since: o.since } : {}), ...(o.until ? { until: o.until } : {}), ...(o.action ? { action: o.action } : {}), ...(cursor ? { cursor } : {}) });
          const page: { items: Entry[]; nextCursor: string | null } = await r.get(`/orgs/${r.org}/audit-log?${q.toString()}`);
          for (const e of page.items) {
            process.stdout.write(
              o.format === 'csv'
                ? `${[e.at, e.action, e.actor.type, e.actor.id, e.actor.label, e.target.type, e.target.id, e.ip, e.before, e.after].map(csv).join(',')}\n`
                : `${JSON.stringify(e)}\n`,
            );
          }
          cursor = page.nextCursor;
        } while (cursor);
      })),
  );
  return audit;
}
