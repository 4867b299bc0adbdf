#!/usr/bin/env bash
# Wall time, runs per second and peak memory of baseline ensembles, as in the README's table.
# Usage: scripts/measure.sh [RUNS...]   (default: 1000 10000 100000)
# Needs GNU time (/usr/bin/time, Debian package `time`).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --locked --quiet
runs=("${@:-1000 10000 100000}")
[ $# -eq 0 ] && runs=(1000 10000 100000)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
printf '%-8s %-8s %10s %12s %12s\n' runs threads wall_s runs_per_s peak_rss_MB
for n in "${runs[@]}"; do
  for t in 1 2; do
    /usr/bin/time -f '%e %M' -o "$out/time" target/release/diplosim run baseline --runs "$n" --threads "$t" \
      --no-charts --quiet --force --out "$out/r" >/dev/null
    read -r wall rss < "$out/time"
    awk -v n="$n" -v t="$t" -v w="$wall" -v r="$rss" \
      'BEGIN { printf "%-8s %-8s %10.2f %12.0f %12.1f\n", n, t, w, (w > 0 ? n / w : 0), r / 1024 }'
  done
done
