#!/usr/bin/env bash
# Time `diplosim validate` on large generated files (issue 13, item 1): checking must stay linear
# in file size however many problems a file has. Usage: scripts/checking_time.sh [BINARY]
set -euo pipefail
bin=${1:-target/release/diplosim}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
python3 - "$dir" <<'PY'
import sys, random
d = sys.argv[1]
base = open('scenarios/baseline.toml').read()
shock = '\n[[shock]]\nstep = 3\nkind = "stance"\nactor = "chian"\nset = 5.0\n'
for n in (2000, 4000):
    open(f'{d}/bad_shocks_{n}.toml', 'w').write(base + shock * n)
late = '\n[[shock]]\nstep = 9999\nkind = "stance"\nactor = "china"\nset = 0.5\n'
open(f'{d}/late_shocks_4000.toml', 'w').write(base + late * 4000)
head = '[scenario]\nsteps = 2\n[issue]\nbody = "a0"\nhost = "a1"\n'
actors = ''.join(f'[[actor]]\nid="a{i}"\nname="A{i}"\ncapability=0.5\nstance=0.1\nsalience=0.5\nsource=""\n' for i in range(1000))
open(f'{d}/actors_1000_no_relations.toml', 'w').write(head + actors)
random.seed(1)
pairs = set()
while len(pairs) < 70000:
    a, b = random.randrange(1000), random.randrange(1000)
    if a != b:
        pairs.add((a, b))
rel = ''.join(f'[[relation]]\nfrom="a{a}"\nto="a{b}"\ninfluence=1\nsource=""\n' for a, b in sorted(pairs))
open(f'{d}/relations_70000.toml', 'w').write(head + actors + rel)
PY
for f in "$dir"/*.toml; do
  size=$(wc -c <"$f")
  start=$(date +%s.%N)
  "$bin" validate "$f" >/dev/null 2>&1 || true
  end=$(date +%s.%N)
  printf '%-32s %8d bytes %6.2f s\n' "$(basename "$f")" "$size" "$(echo "$end - $start" | bc)"
done
