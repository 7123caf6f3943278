import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cacheControlFor, consoleDir } from '../../src/http/console.js';
import { startInstance, type TestInstance } from '../helpers/harness.js';

/**
 * The console's files (issue 17 item 15): sent compressed as the build wrote them, hashed assets cached
 * for a year, the page itself revalidated on every load, and the JavaScript in several chunks.
 */
const dir = consoleDir();
const html = readFileSync(join(dir, 'index.html'), 'utf8');
/** The files index.html loads: the entry script, its preloaded chunks and the stylesheets. */
const linked = [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+)"/g)].map((m) => m[1]!);

describe('console assets', () => {
  let lk: TestInstance;
  beforeAll(async () => {
    lk = await startInstance();
  });
  afterAll(() => lk.close());

  it('the page loads its JavaScript in more than one chunk, the pages themselves later', () => {
    const scripts = linked.filter((f) => f.endsWith('.js'));
    expect(scripts.length).toBeGreaterThan(1);
    expect(scripts.some((f) => /tokens-page|members-page/.test(f))).toBe(false);
  });

  it.each([
    ['br', brotliDecompressSync],
    ['gzip', gunzipSync],
  ] as const)('sends each linked asset %s-compressed, immutable for a year', async (encoding, decode) => {
    expect(linked.filter((f) => readFileSync(join(dir, f)).length >= 1024).length).toBeGreaterThan(2);
    for (const file of linked) {
      const res = await lk.app.inject({
        method: 'GET',
        url: `/${file}`,
        headers: { 'accept-encoding': `${encoding}, identity` },
      });
      expect(res.statusCode, file).toBe(200);
      expect(res.headers['cache-control'], file).toBe('public, max-age=31536000, immutable');
      expect(res.headers['content-type'], file).toMatch(file.endsWith('.js') ? /javascript/ : /text\/css/);
      const original = readFileSync(join(dir, file));
      // The build leaves files under 1 kB as they are (e.g. the bundler's runtime).
      if (original.length < 1024) {
        expect(res.headers['content-encoding'], file).toBeUndefined();
        continue;
      }
      expect(res.headers['content-encoding'], file).toBe(encoding);
      expect(res.headers.vary, file).toMatch(/accept-encoding/i);
      expect(res.rawPayload.length, file).toBeLessThan(original.length / 2);
      expect(decode(res.rawPayload).equals(original), file).toBe(true);
    }
  });

  it('sends the file as it is to a client that accepts no compression', async () => {
    const file = linked.find((f) => f.endsWith('.js'))!;
    const res = await lk.app.inject({
      method: 'GET',
      url: `/${file}`,
      headers: { 'accept-encoding': 'identity' },
    });
    expect(res.headers['content-encoding']).toBeUndefined();
    expect(res.rawPayload.equals(readFileSync(join(dir, file)))).toBe(true);
  });

  it('revalidates the page and its deep links on every load, so a new release is seen at once', async () => {
    for (const url of ['/', '/login', '/orgs/acme/tokens', '/favicon.svg']) {
      const res = await lk.app.inject({ method: 'GET', url, headers: { 'accept-encoding': 'br, gzip' } });
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['cache-control'], url).toBe('no-cache');
    }
  });

  it('caches only what is under assets/, wherever the console directory is', () => {
    expect(cacheControlFor('assets/index-DzpN8UNb.js')).toMatch(/immutable/);
    expect(cacheControlFor('assets/index-DzpN8UNb.js.br')).toMatch(/immutable/);
    expect(cacheControlFor('index.html')).toBe('no-cache');
    expect(cacheControlFor('favicon.svg')).toBe('no-cache');
  });
});
