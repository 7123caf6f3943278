#!/bin/bash
# Two million-token servers on CPU 0 (A: default, B: with the node flags given), wrk on CPU 1; both walk every
# token into their cache first, then 4 interleaved rounds of 8 s per side and mix (one hot token, Zipf), 11 s
# apart (the usage flush). Prints each round: req/s, p99, CPU µs per request from /proc (issue 12 rows 7–8).
#   It seeds nothing: after `npm run build`, once: node -e "import('./bench/lib/seed.mjs').then((m) => m.seedSqlite('/tmp/prof', 1e6))"
#   bash bench/young-generation-ab.sh --min-semi-space-size=64 --max-semi-space-size=64
cd "$(dirname "$0")/.."
start() { # port flags...
  local port=$1; shift
  DATABASE_URL=sqlite:/tmp/prof/mix-1000000.db LATCHKEY_VERIFY_CACHE_ENTRIES=1100000 LATCHKEY_VERIFY_CACHE_TTL_SECONDS=7200 LATCHKEY_DB_POOL_MAX=8 LOG_LEVEL=warn PORT=$port HOST=127.0.0.1 \
    taskset -c 0 node "$@" packages/server/bin/latchkey.js serve > /tmp/prof/ab-$port.log 2>&1 &
  echo $!
}
warm() {
  local port=$1 off=0
  until curl -sf http://127.0.0.1:$port/healthz >/dev/null; do sleep 0.3; done
  while [ $off -lt 990000 ]; do
    LK_MODE=all LK_OFFSET=$off taskset -c 1 wrk -t1 -c50 -d20s -s bench/zipf.lua http://127.0.0.1:$port/api/v1/verify > /dev/null
    off=$(curl -s http://127.0.0.1:$port/metrics | grep '^latchkey_verify_cache_entries{kind="known"}' | awk '{print $2}')
  done
}
export LK_TOKENS=/tmp/prof/mix-1000000.tokens
pa=$(start 4601); pb=$(start 4602 "$@")
warm 4601; warm 4602; sleep 11
for round in 1 2 3 4; do
  for mode in one zipf; do
    for side in A B; do
      port=$([ $side = A ] && echo 4601 || echo 4602); pid=$([ $side = A ] && echo $pa || echo $pb)
      t0=$(awk '{print $14+$15}' /proc/$pid/stat)
      r=$(LK_MODE=$mode LK_SEED=$round taskset -c 1 wrk -t1 -c50 -d8s --latency -s bench/zipf.lua http://127.0.0.1:$port/api/v1/verify)
      t1=$(awk '{print $14+$15}' /proc/$pid/stat)
      reqs=$(echo "$r" | grep -o '[0-9]* requests in' | awk '{print $1}')
      echo "$side $mode rps $(echo "$r" | grep Requests/sec | awk '{print $2}') p99 $(echo "$r" | grep ' 99%' | awk '{print $2}') cpu_us $(( (t1-t0)*10000/reqs ))"
      sleep 11
    done
  done
done
grep VmRSS /proc/$pa/status /proc/$pb/status
kill -INT $pa $pb; wait
