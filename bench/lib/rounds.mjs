// Interleaved rounds: every contender of a row runs once per round, the order alternating, so a drift in
// the machine's speed (a noisy neighbour) hits them alike; then the median and the spread.
import { cpuSeconds } from './processes.mjs';

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/**
 * `contenders`: { name: { pid, run: () => wrk result } }. Returns per contender the rounds, each with
 * req/s, p99 and the server's CPU µs per request (its own CPU counters over the round). `settleMs`: a pause
 * after every round, so that work a round leaves behind (a usage flush on its server's timer) is done
 * before the next contender runs, instead of landing on it from another process on the same CPU.
 */
export function interleave(contenders, rounds, { warmup = true, settleMs = 0 } = {}) {
  const names = Object.keys(contenders);
  if (warmup) for (const n of names) contenders[n].run();
  const results = Object.fromEntries(names.map((n) => [n, []]));
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? names : [...names].reverse();
    for (const n of order) {
      const c = contenders[n];
      const before = c.pid ? cpuSeconds(c.pid) : 0;
      const r = c.run();
      const cpuUs = c.pid ? ((cpuSeconds(c.pid) - before) * 1e6) / Math.max(1, r.requests) : NaN;
      results[n].push({ ...r, cpuUs });
      if (settleMs > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, settleMs);
    }
  }
  return results;
}

/** Median and min–max of one field over rounds. */
export function summary(rounds, field) {
  const xs = rounds.map((r) => r[field]).filter(Number.isFinite);
  return { median: median(xs), min: Math.min(...xs), max: Math.max(...xs) };
}
