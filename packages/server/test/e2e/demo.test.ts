import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { expect, it } from 'vitest';

/** `npm run demo`'s script: it starts, every printed URL answers, and Ctrl-C stops it cleanly. */
it('starts, answers on every printed URL, and stops on SIGINT', async () => {
  const child = spawn(process.execPath, [resolve(import.meta.dirname, '../../../../scripts/demo.mjs')], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const deadline = Date.now() + 30_000;
  let ready:
    { console: string; platform: string; page: string; other: string; privateToken: string } | undefined;
  while (!ready) {
    const line = /DEMO_READY (.*)/.exec(out)?.[1];
    if (line) ready = JSON.parse(line);
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`demo did not start: ${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  expect(out).toMatch(/sign in as owner@acme.test/);
  expect((await fetch(ready.console)).status).toBe(200);
  expect((await fetch(`${ready.console}/healthz`)).status).toBe(200);
  expect((await fetch(ready.page)).status).toBe(200);
  expect((await fetch(ready.other)).status).toBe(200);
  expect((await fetch(`${ready.platform}/assets`)).status).toBe(401);
  expect(
    (await fetch(`${ready.platform}/assets`, { headers: { authorization: `Bearer ${ready.privateToken}` } }))
      .status,
  ).toBe(200);
  // The seeded org: members, two service accounts, public, private and legacy tokens.
  const me = await fetch(`${ready.console}/api/v1/orgs/acme/tokens?status=all&limit=200`, {
    headers: { authorization: `Bearer ${ready.privateToken}` },
  });
  const tokens = ((await me.json()) as { items: { type: string; legacy: boolean }[] }).items;
  expect(tokens.some((t) => t.type === 'public')).toBe(true);
  expect(tokens.some((t) => t.legacy)).toBe(true);
  child.kill('SIGINT');
  const code = await new Promise((r) => child.once('exit', r));
  expect(code).toBe(0);
  expect(out).toMatch(/demo stopped/);
});
