import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { freePort, tempDir, waitForListening } from './process.js';

/** The Caddyfile shipped in the docs: the tests run it as is, addresses coming from its env placeholders. */
export const CADDYFILE = resolve(import.meta.dirname, '../../../../docs/proxies/caddy/Caddyfile');

export interface Caddy {
  url: string;
  port: number;
  stop(): Promise<void>;
}

/**
 * Runs a real Caddy (`caddy run`) with the shipped Caddyfile, imported unchanged after a global block that
 * only turns the admin endpoint off (parallel test runs would fight over its fixed port). `LATCHKEY_SITE`,
 * `LATCHKEY_ADDR` and `PLATFORM_ADDR` are the placeholders the file reads.
 */
export async function startCaddy(opts: {
  latchkey: string;
  platform: string;
  verifySecret?: string;
}): Promise<Caddy> {
  const dir = tempDir('latchkey-caddy-');
  const port = await freePort();
  const conf = join(dir, 'Caddyfile');
  writeFileSync(conf, `{\n\tadmin off\n}\nimport ${CADDYFILE}\n`);
  const child: ChildProcess = spawn('caddy', ['run', '--config', conf, '--adapter', 'caddyfile'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      PATH: process.env.PATH,
      HOME: dir,
      XDG_CONFIG_HOME: dir,
      XDG_DATA_HOME: dir,
      LATCHKEY_SITE: `:${port}`,
      LATCHKEY_ADDR: opts.latchkey,
      PLATFORM_ADDR: opts.platform,
      ...(opts.verifySecret ? { LATCHKEY_VERIFY_SECRET: opts.verifySecret } : {}),
    },
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const url = `http://127.0.0.1:${port}`;
  await waitForListening('caddy', url, child, () => out, 15_000);
  return {
    url,
    port,
    stop: () =>
      new Promise((res) => {
        if (child.exitCode !== null || child.signalCode !== null) return res();
        child.once('exit', () => res());
        child.kill('SIGTERM');
      }),
  };
}
