import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/process.js';

/**
 * What a remote admin command loads before it runs. Operators script the CLI (one process a call, hundreds
 * of calls in a migration), so the remote commands must not pay for the server's modules: the config
 * schema (typebox, ~2,000 files), the CSV libraries, the store or Fastify. Node's module debug log names
 * every file the ES module loader resolves.
 */
async function loadedFiles(args: string[]): Promise<string[]> {
  const r = await runCli(args, { NODE_DEBUG: 'esm', LATCHKEY_URL: 'http://127.0.0.1:9' });
  expect(r.code, r.stderr).toBe(0);
  return [...new Set(r.stderr.match(/file:\/\/[^\s'"]+/g) ?? [])];
}

describe('latchkey start-up', () => {
  const calls = [
    ['sa', 'list', '--help'],
    ['token', 'import', '--help'],
    ['audit', 'export', '--help'],
    ['--help'],
  ];
  it.each(calls.map((args) => [args.join(' '), args] as const))(
    'latchkey %s loads neither the server, the config schema nor the CSV libraries',
    async (_name, args) => {
      const files = await loadedFiles([...args]);
      // The log is live: the CLI's own entry and commander are in it.
      expect(files.some((f) => f.includes('/dist/cli/main.js'))).toBe(true);
      expect(files.some((f) => f.includes('/node_modules/commander/'))).toBe(true);
      const heavy = files.filter((f) =>
        /\/node_modules\/(typebox|csv-parse|csv-stringify|fastify|kysely|better-sqlite3|pg|pino)\/|\/dist\/(config\/config|store|http|server)\b/.test(
          f,
        ),
      );
      expect(heavy).toEqual([]);
    },
  );
});
