import { expect } from '@playwright/test';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ORG, OWNER } from './helpers';

/** Latchkey servers of the specs' own, for specs that must not depend on the walkthrough's server. */

export const BIN = resolve(import.meta.dirname, '../../server/bin/latchkey.js');

export function freePort(): Promise<number> {
  return new Promise((res) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => res(port));
    });
  });
}

function run(
  args: string[],
  env: Record<string, string>,
  stdin?: string,
): Promise<{ code: number | null; out: string }> {
  return new Promise((res, rej) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { ...process.env, ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', rej);
    child.on('close', (code) => res({ code, out }));
    child.stdin.end(stdin ?? '');
  });
}

/** A bootstrapped server (org `acme`, owner OWNER) on a fresh SQLite file, listening on 127.0.0.1. */
export async function startLatchkey(
  publicUrl: (port: number) => string,
  /** Settings of this server's own (e.g. a short usage flush). */
  extraEnv: Record<string, string> = {},
): Promise<{ port: number; url: string; stop(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-e2e-'));
  const port = await freePort();
  const env = {
    DATABASE_URL: `sqlite:${join(dir, 'latchkey.db')}`,
    LOG_LEVEL: 'warn',
    PORT: String(port),
    HOST: '127.0.0.1',
    LATCHKEY_PUBLIC_URL: publicUrl(port),
    ...extraEnv,
  };
  const boot = await run(
    ['bootstrap', '--org', ORG.slug, '--email', OWNER.email, '--password-stdin'],
    env,
    OWNER.password,
  );
  expect(boot.code, boot.out).toBe(0);
  const child: ChildProcess = spawn(process.execPath, [BIN, 'serve'], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  await expect
    .poll(
      async () => {
        if (child.exitCode !== null) throw new Error(`server exited: ${out}`);
        return fetch(`http://127.0.0.1:${port}/healthz`).then(
          (r) => r.status,
          () => 0,
        );
      },
      { timeout: 30_000 },
    )
    .toBe(200);
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((res) => {
        if (child.exitCode !== null) return res();
        child.once('exit', () => res());
        child.kill('SIGTERM');
      }),
  };
}
