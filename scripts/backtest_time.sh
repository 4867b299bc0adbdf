#!/usr/bin/env bash
# Wall time of the whole backtest (every case in cases/, 2,000 runs each, charts and report
# included), as in the README's "How good are the forecasts?" section; the target is 60 s on
# 2 cores. Usage: scripts/backtest_time.sh [REPEATS]   (default 3). A benchmark, not a test.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --locked --quiet
n=${1:-3}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
printf '%-8s %-8s %10s\n' repeat threads wall_s
for i in $(seq 1 "$n"); do
  for t in 1 2; do
    s=$(date +%s.%N)
    target/release/diplosim backtest --runs 2000 --threads "$t" --quiet --force --out "$out/b"
    e=$(date +%s.%N)
    awk -v i="$i" -v t="$t" -v s="$s" -v e="$e" 'BEGIN { printf "%-8s %-8s %10.2f\n", i, t, e - s }'
  done
done
