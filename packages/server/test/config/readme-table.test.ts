import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import { SETTINGS, settingsTable } from '../../src/config/settings.js';
import { runCli } from '../helpers/process.js';

const README = join(import.meta.dirname, '../../../../README.md');

describe('the one table of settings', () => {
  it('is what the README shows (regenerate with `npm run build && npm run docs:config`)', () => {
    const text = readFileSync(README, 'utf8');
    const start = text.indexOf('\n', text.indexOf('<!-- config-table:start')) + 1;
    const end = text.indexOf('<!-- config-table:end -->');
    expect(
      text.slice(start, end).trimEnd(),
      'README.md configuration table is stale: run npm run build && npm run docs:config',
    ).toBe(settingsTable());
  });

  it('names each environment variable once, and the loader reads every one of them', () => {
    const names = Object.values(SETTINGS).map((s) => s.env);
    expect(new Set(names).size).toBe(names.length);
    // A value that no setting accepts is refused under that variable's name: the loader maps it.
    for (const name of names) {
      if (['DATABASE_URL', 'HOST', 'LATCHKEY_MAIL_FROM', 'LATCHKEY_PUBLIC_URL', 'REDIS_URL'].includes(name))
        continue; // any string
      expect(() => loadConfig({ [name]: '\u0000not a value\u0000' }), name).toThrow(name);
    }
  });

  it('is what `latchkey serve --help` lists', async () => {
    const help = await runCli(['serve', '--help'], {});
    expect(help.code).toBe(0);
    for (const s of Object.values(SETTINGS)) expect(help.stdout, s.env).toContain(`  ${s.env}  (default `);
  });
});
