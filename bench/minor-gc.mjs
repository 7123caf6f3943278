// What one minor collection (scavenge) costs with a large old generation, by what holds it.
//   taskset -c 0 node bench/minor-gc.mjs [none|map|array|lru] [--rows 1000000]
// Fills the old generation with `rows` small objects (kept live in a Map, an array or an lru-cache, or none),
// then allocates short-lived garbage for 4 s and prints the median and p90 duration of the minor
// collections V8 reports meanwhile. Not a test: it prints figures (bench/RESULTS.md, issue 12 rows 7–8).
import { constants, PerformanceObserver } from 'node:perf_hooks';
import { LRUCache } from 'lru-cache';

const holder = process.argv[2] ?? 'map';
const at = process.argv.indexOf('--rows');
const ROWS = at > 0 ? Number(process.argv[at + 1]) : 1_000_000;

const map = new Map();
const array = [];
const lru = new LRUCache({ max: Math.ceil(ROWS * 1.1), ttl: 7_200_000 });
for (let i = 0; i < ROWS; i++) {
  if (holder === 'none') break;
  const row = { id: `tok_${i.toString(36).padStart(20, '0')}`, n: i, list: [], a: null, b: 'x' };
  const key = i.toString(16).padStart(64, '0');
  if (holder === 'map') map.set(key, row);
  else if (holder === 'array') array.push(row);
  else if (holder === 'lru') lru.set(key, row);
}

const pauses = [];
new PerformanceObserver((list) => {
  for (const e of list.getEntries())
    if (e.detail.kind === constants.NODE_PERFORMANCE_GC_MINOR) pauses.push(e.duration);
}).observe({ entryTypes: ['gc'] });
let sink = 0;
const started = performance.now();
while (performance.now() - started < 4000) {
  for (let j = 0; j < 1000; j++) sink += { a: j, b: [j, j], c: `s${j}` }.b.length;
  if (holder === 'lru') sink += lru.get('0'.padStart(64, '0')) ? 1 : 0;
}
setTimeout(() => {
  // The holders are read here, so V8 keeps them live through the loop above.
  sink += map.size + array.length + lru.size;
  pauses.sort((a, b) => a - b);
  const q = (f) => pauses[Math.floor(pauses.length * f)]?.toFixed(2);
  console.log(
    JSON.stringify({
      holder,
      rows: holder === 'none' ? 0 : ROWS,
      minorCollections: pauses.length,
      medianMs: q(0.5),
      p90Ms: q(0.9),
      sink: sink > 0,
    }),
  );
}, 100);
