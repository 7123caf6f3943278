// Writes the README's configuration table from the one table of settings (packages/server/src/config/
// settings.ts). `npm run docs:config`; test/config/readme-table.test.ts fails when the README differs.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { settingsTable } from '../packages/server/dist/config/settings.js';

const readme = join(dirname(fileURLToPath(import.meta.url)), '..', 'README.md');
const text = readFileSync(readme, 'utf8');
const start = text.indexOf('<!-- config-table:start');
const end = text.indexOf('<!-- config-table:end -->');
if (start === -1 || end === -1) throw new Error('README.md has no config-table markers');
const open = text.indexOf('\n', start) + 1;
writeFileSync(readme, `${text.slice(0, open)}${settingsTable()}\n${text.slice(end)}`);
console.log('README.md configuration table written');
