// wrk, pinned to its own CPU, and its output parsed.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const toMs = (s) => {
  const m = /([\d.]+)(us|ms|s)\b/.exec(s ?? '');
  if (!m) return NaN;
  return Number(m[1]) * (m[2] === 'us' ? 0.001 : m[2] === 's' ? 1000 : 1);
};

/**
 * Runs wrk against `url` for `seconds` (one thread, `connections` connections) on CPU `cpu` (null: not
 * pinned). `script` is a Lua file; `env` reaches it (os.getenv).
 */
export function wrk(url, { seconds, connections, script, cpu = '1', env = {}, headers = {} }) {
  const args = ['-t1', `-c${connections}`, `-d${seconds}s`, '--latency'];
  for (const [k, v] of Object.entries(headers)) args.push('-H', `${k}: ${v}`);
  if (script) args.push('-s', script);
  args.push(url);
  const [file, all] = cpu === null ? ['wrk', args] : ['taskset', ['-c', cpu, 'wrk', ...args]];
  const out = execFileSync(file, all, {
    encoding: 'utf8',
    env: { ...process.env, ...env },
    maxBuffer: 1 << 24,
  });
  return {
    rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? 0),
    requests: Number(/(\d+) requests in/.exec(out)?.[1] ?? 0),
    p50: toMs(/\s50%\s+(\S+)/.exec(out)?.[1]),
    p99: toMs(/\s99%\s+(\S+)/.exec(out)?.[1]),
    non2xx: Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(out)?.[1] ?? 0),
    errors: Number(/Socket errors:.*?timeout (\d+)/.exec(out)?.[1] ?? 0),
  };
}

export function postScript(dir, name, body) {
  const file = join(dir, `${name}.lua`);
  writeFileSync(
    file,
    `wrk.method = "POST"\nwrk.body = ${JSON.stringify(JSON.stringify(body))}\nwrk.headers["Content-Type"] = "application/json"\n`,
  );
  return file;
}

export function getScript(dir, name, headers) {
  const file = join(dir, `${name}.lua`);
  writeFileSync(
    file,
    `wrk.method = "GET"\n${Object.entries(headers)
      .map(([k, v]) => `wrk.headers[${JSON.stringify(k)}] = ${JSON.stringify(v)}`)
      .join('\n')}\n`,
  );
  return file;
}
