#!/bin/bash
# A benchmark removes what it wrote: bench_search used to unlink only the
# vault file, so each run left its folder with a -wal (120 MB at 100,000
# cases) and a -shm in /tmp. bench_search makes its folder in TMPDIR (lib.sh's
# own folder here) and must leave nothing behind.
. "$(dirname "$0")/lib.sh"
B="${KITH_BUILD:-}/bench_search"
if [ ! -x "$B" ]; then
  bad "bench_search is built beside kith ($B)"
else
  expect 0 "bench_search runs on 300 cases" -- "$B" --size 300
  has "$T/out" "300 cases|cases" "bench_search reports its run"
  left=$(find "$T" -maxdepth 1 -name 'kith-bench-*' | wc -l)
  if [ "$left" -eq 0 ]; then ok "bench_search leaves no folder in TMPDIR"; else
    bad "bench_search left $left folder(s): $(find "$T" -name 'kith-bench-*' -o -name '*.kith*' | head -3)"; fi
fi
finish
