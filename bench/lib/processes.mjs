// Starting, pinning, measuring and stopping the processes a benchmark runs.
import { execFileSync, fork, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const TICKS = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
const children = new Set();
process.on('exit', () => children.forEach((c) => c.kill('SIGKILL')));

export const freePort = () =>
  new Promise((res) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });

export async function waitFor(url, tries = 600) {
  for (let i = 0; i < tries; i++) {
    try {
      await fetch(url);
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  throw new Error(`not up: ${url}`);
}

/** `cpu`: the CPU list for taskset ('0'), or null to leave the process to the scheduler. */
function pinned(cpu, file, args) {
  return cpu === null ? [file, args] : ['taskset', ['-c', cpu, file, ...args]];
}

/** A Node script of bench/ (a baseline server), pinned to `cpu`. */
export function startScript(script, env, cpu = '0') {
  const [file, args] = pinned(cpu, process.execPath, [script]);
  const child = spawn(file, args, {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  children.add(child);
  return child;
}

/** `latchkey serve`, pinned to `cpu` (workers inherit the pinning). */
export function startLatchkey(env, cpu = '0') {
  const [file, args] = pinned(cpu, process.execPath, [
    join(root, 'packages/server/bin/latchkey.js'),
    'serve',
  ]);
  const child = spawn(file, args, {
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  children.add(child);
  return child;
}

export function startNginx(dir, conf) {
  const child = spawn('nginx', ['-p', dir, '-c', conf, '-g', 'daemon off;'], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  children.add(child);
  return child;
}

export function forkNode(script, env) {
  const child = fork(script, [], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  children.add(child);
  return child;
}

export async function stop(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise((r) => {
    child.once('exit', r);
    child.kill('SIGTERM');
  });
  children.delete(child);
}

/** The process and all its descendants (a taskset wrapper execs; cluster workers are children). */
function processTree(pid) {
  const pids = [pid];
  for (let i = 0; i < pids.length; i++) {
    try {
      const kids = readFileSync(`/proc/${pids[i]}/task/${pids[i]}/children`, 'utf8').trim();
      if (kids) pids.push(...kids.split(/\s+/).map(Number));
    } catch {
      // gone
    }
  }
  return pids;
}

/** CPU seconds (user + system) used so far by a process and its live descendants. */
export function cpuSeconds(pid) {
  let total = 0;
  for (const p of processTree(pid)) {
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      total += (Number(fields[11]) + Number(fields[12])) / TICKS;
    } catch {
      // exited between the listing and the read
    }
  }
  return total;
}
