#!/usr/bin/env bash
# Checksums of every output file of every shipped scenario: a single run (seed 1) and a 1,000-run
# ensemble. Used to prove a refactor changes no byte: run it before and after, then diff.
#   scripts/golden.sh > before.txt; ...change...; scripts/golden.sh > after.txt; diff before.txt after.txt
# manifest.json is left out (it holds the created time and thread count).
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${DIPLOSIM_BIN:-target/release/diplosim}
[ -n "${DIPLOSIM_BIN:-}" ] || cargo build --release --locked -q
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for f in scenarios/*.toml; do
  name=$(basename "$f" .toml)
  "$bin" run "$name" --quiet --out "$tmp/$name-single" >/dev/null
  "$bin" run "$name" --quiet --runs ${GOLDEN_RUNS:-1000} --out "$tmp/$name-ensemble" >/dev/null
done
cd "$tmp"
find . -type f ! -name manifest.json | sort | xargs sha256sum
