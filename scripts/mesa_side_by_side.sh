#!/usr/bin/env bash
# diplosim against the project's Mesa 3.5.1 implementation of the same model, side by side on the
# same scenario files.
#
# The Mesa model (bench/mesa/model.py, gen_synth.py; see bench/mesa/README.md) is called in place:
#   MESA_REF   folder of model.py   (default bench/mesa of this project)
#   MESA_VENV  Python venv with mesa (default /tmp/mesa05; created as bench/mesa/README.md says
#              when missing: python3.12 from pyenv, then pip install 'mesa[network]==3.5.1')
#
# Same model: bench/mesa/model.py implements model 0.6 (DESIGN.md rules 1-8 with docs/model.md:
# news and attention, issue signals, class then code, gates, volume by partner, lasting change),
# and bench/mesa/check.py checks that it agrees with diplosim in distribution. Fairness: each
# scenario (baseline, and synthetic N = 10, 50, 200 actors from gen_synth.py) is resolved once by
# `diplosim show FILE --toml` (every [model] key explicit, at diplosim's current values) and that
# one file is given to both tools. model.py refuses a [model] key it does not know, so a new key in
# diplosim stops this script until model.py implements it.
#
# Timing: for each scenario the two tools run as whole processes, alternately (which goes first
# alternates per repetition), REPS times; medians of runs/s are reported.
#   diplosim: runs/s = R / wall, wall and peak RSS from /usr/bin/time -f '%e %M' (so process start,
#             scenario parsing and writing the output tables are included).
#   Mesa:     runs/s as model.py prints it (runs_per_s=, its own timer around the runs only: Python
#             start-up, `import mesa` and scenario parsing are NOT included; that favours Mesa).
#             Its DataCollector records the indicators and each actor's stance, posture and tones
#             every step (diplosim's ensemble aggregates the same series).
# Run counts aim at 1-5 s per process on a 2-core machine; override with env vars:
#   DS_RUNS_SMALL (9-10 actors, default 20000)  DS_RUNS_50 (500)   DS_RUNS_200 (40)
#   MESA_RUNS_SMALL (default 40)                MESA_RUNS_50 (8)   MESA_RUNS_200 (2)
#   REPS (default 3). The 2-thread / 2-process baseline row uses the SMALL counts.
#   NO_BUILD=1: skip `cargo build --release` and time target/release/diplosim as it is.
#   QUICK=1: tiny counts for a smoke test (R = 200/20/2, r = 2/1/1, REPS = 1), numbers meaningless.
# Needs GNU time (/usr/bin/time, Debian package `time`). The machine is shared: absolute numbers
# drift by +-30%; quote the ratio, and look at the load averages printed with the table.
#
# Usage: scripts/mesa_side_by_side.sh            (from anywhere; it cd's to the project root)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

die() { echo "mesa_side_by_side: $*" >&2; exit 1; }
warn() { echo "mesa_side_by_side: WARNING: $*" >&2; }

[ -x /usr/bin/time ] || die "GNU time not found at /usr/bin/time (Debian package \`time\`)"

# ---- run counts --------------------------------------------------------------------------------
if [ "${QUICK:-0}" = 1 ]; then
  ds_small=200 ds_50=20 ds_200=2
  mesa_small=2 mesa_50=1 mesa_200=1
  reps=${REPS:-1}
else
  ds_small=${DS_RUNS_SMALL:-20000} ds_50=${DS_RUNS_50:-500} ds_200=${DS_RUNS_200:-40}
  mesa_small=${MESA_RUNS_SMALL:-40} mesa_50=${MESA_RUNS_50:-8} mesa_200=${MESA_RUNS_200:-2}
  reps=${REPS:-3}
fi
for v in "$ds_small" "$ds_50" "$ds_200" "$mesa_small" "$mesa_50" "$mesa_200" "$reps"; do
  [[ $v =~ ^[1-9][0-9]*$ ]] || die "run counts and REPS must be positive integers (got '$v')"
done

# ---- the Mesa reference and its venv -----------------------------------------------------------
mesa_ref=${MESA_REF:-$root/bench/mesa}
[ -f "$mesa_ref/model.py" ] && [ -f "$mesa_ref/gen_synth.py" ] \
  || die "no model.py / gen_synth.py in '$mesa_ref' (set MESA_REF to the folder of the Mesa model)"
mesa_ref=$(cd "$mesa_ref" && pwd)

venv=${MESA_VENV:-/tmp/mesa05}
py=$venv/bin/python
if ! [ -x "$py" ] || ! "$py" -c 'import mesa' 2>/dev/null; then
  py312=""
  pyenv_bin=$(ls -d ~/.pyenv/versions/3.12*/bin 2>/dev/null | head -1 || true)
  if [ -n "$pyenv_bin" ] && [ -x "$pyenv_bin/python3" ]; then
    py312=$pyenv_bin/python3
  elif command -v python3.12 >/dev/null; then
    py312=$(command -v python3.12)
  fi
  [ -n "$py312" ] || die "Python 3.12 not found (looked in ~/.pyenv/versions/3.12*/bin and on PATH);
  Mesa 3.5 needs Python >= 3.12. Install one (e.g. pyenv install 3.12) or point MESA_VENV at a
  venv that has mesa[network]==3.5.1."
  echo "creating the Mesa venv in $venv with $py312 ..." >&2
  "$py312" -m venv "$venv"
  "$venv/bin/pip" install --quiet 'mesa[network]==3.5.1' >&2
  "$py" -c 'import mesa' || die "mesa does not import in $venv after installing it"
fi
mesa_version=$("$py" -c 'import mesa; print(mesa.__version__)')
[ "$mesa_version" = 3.5.1 ] || warn "the venv $venv has mesa $mesa_version, not 3.5.1"

# ---- diplosim ----------------------------------------------------------------------------------
# NO_BUILD=1: use target/release/diplosim as it is (e.g. while others build in the same tree).
[ "${NO_BUILD:-0}" = 1 ] || cargo build --release --locked --quiet
bin=$root/target/release/diplosim
[ -x "$bin" ] || die "no $bin after cargo build"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/scen"

# ---- scenario files: each resolved by diplosim, the same file for both tools -----------------
"$py" "$mesa_ref/gen_synth.py" --out "$tmp/scen" 10 50 200 >/dev/null
names=(baseline synth_n10 synth_n50 synth_n200)
for n in "${names[@]}"; do
  raw=$tmp/scen/$n.toml
  [ "$n" = baseline ] && raw=baseline
  [ "$n" = baseline ] || [ -f "$raw" ] || die "missing scenario file $raw (did gen_synth.py change its file names?)"
  "$bin" show "$raw" --toml > "$tmp/scen/$n.resolved.toml" 2>/dev/null \
    || die "diplosim show failed on $raw"
done
# Mesa reads each resolved file (it stops on a [model] key it does not know); prints "name actors"
# and the [model] values both tools use for the baseline.
"$py" - "$mesa_ref" "$tmp/scen" "${names[@]}" > "$tmp/actors.txt" <<'PY'
import dataclasses, sys, tomllib
ref, scen = sys.argv[1:3]
sys.path.insert(0, ref)
from model import load_scenario
for name in sys.argv[3:]:
    path = f"{scen}/{name}.resolved.toml"
    m = load_scenario(path)
    with open(path, "rb") as f:
        d = tomllib.load(f)
    n_d = len(d.get("actor", []))
    if n_d != len(m.actors):
        print(f"mesa_side_by_side: WARNING: {name}: diplosim has {n_d} actors, Mesa "
              f"{len(m.actors)}", file=sys.stderr)
    if name == "baseline":
        print("[model] (both tools): " + ", ".join(f"{f.name}={getattr(m.params, f.name)}"
              for f in dataclasses.fields(m.params)), file=sys.stderr)
    print(name, n_d if n_d == len(m.actors) else f"{n_d}/{len(m.actors)}")
PY

# ---- timing ------------------------------------------------------------------------------------
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "nan"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# run_diplosim FILE R THREADS: appends "runs_per_s peak_MB" to $tmp/ds.txt
run_diplosim() {
  local f=$1 r=$2 t=$3 wall rss t0 t1
  t0=$EPOCHREALTIME
  /usr/bin/time -f '%e %M' -o "$tmp/time" "$bin" run "$f" --runs "$r" --threads "$t" \
    --no-charts --quiet --force --out "$tmp/out" >/dev/null \
    || die "diplosim failed on $f (runs $r, threads $t)"
  t1=$EPOCHREALTIME
  read -r wall rss < <(tail -1 "$tmp/time")
  # %e has 10 ms resolution: below 1 s (QUICK runs) use the shell's clock around the same process.
  awk -v w="$wall" 'BEGIN { exit !(w < 1) }' && wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f", b - a }')
  awk -v r="$r" -v w="$wall" -v m="$rss" 'BEGIN { printf "%.6g %.1f\n", r / w, m / 1024 }' >> "$tmp/ds.txt"
}

# run_mesa FILE r PROCS: appends runs_per_s to $tmp/mesa.txt, and checks actors/steps it reports
run_mesa() {
  local f=$1 r=$2 p=$3 line
  line=$("$py" "$mesa_ref/model.py" --scenario "$f" --runs "$r" --procs "$p" | grep 'runs_per_s=') \
    || die "model.py failed on $f (runs $r, procs $p)"
  echo "$line" >> "$tmp/mesa.log"
  sed -n 's/.*runs_per_s=\([0-9.eE+-]*\).*/\1/p' <<<"$line" >> "$tmp/mesa.txt"
}

load_start=$(cut -d' ' -f1-3 /proc/loadavg)
started=$(date '+%Y-%m-%d %H:%M %Z')

rows=()
# scenario, threads, diplosim R, Mesa r
plan=(
  "baseline 1 $ds_small $mesa_small"
  "baseline 2 $ds_small $mesa_small"
  "synth_n10 1 $ds_small $mesa_small"
  "synth_n50 1 $ds_50 $mesa_50"
  "synth_n200 1 $ds_200 $mesa_200"
)
for entry in "${plan[@]}"; do
  read -r n t R r <<<"$entry"
  f=$tmp/scen/$n.resolved.toml
  : > "$tmp/ds.txt"; : > "$tmp/mesa.txt"
  echo "timing $n, $t thread(s)/process(es): diplosim --runs $R, Mesa --runs $r, $reps repetition(s) ..." >&2
  for ((k = 0; k < reps; k++)); do
    if ((k % 2 == 0)); then
      run_diplosim "$f" "$R" "$t"; run_mesa "$f" "$r" "$t"
    else
      run_mesa "$f" "$r" "$t"; run_diplosim "$f" "$R" "$t"
    fi
  done
  ds=$(cut -d' ' -f1 "$tmp/ds.txt" | median)
  mb=$(cut -d' ' -f2 "$tmp/ds.txt" | median)
  me=$(median < "$tmp/mesa.txt")
  actors=$(awk -v n="$n" '$1 == n { print $2 }' "$tmp/actors.txt")
  mesa_actors=$(sed -n 's/.* actors=\([0-9]*\).*/\1/p' "$tmp/mesa.log" | tail -1)
  [ "${actors%%/*}" = "$mesa_actors" ] || warn "$n: model.py reported actors=$mesa_actors, diplosim has $actors"
  rows+=("$(awk -v n="$n" -v a="$actors" -v t="$t" -v d="$ds" -v m="$me" -v mb="$mb" \
    'function f(x) { return sprintf(x >= 100 ? "%.0f" : "%.3g", x) }
     BEGIN { printf "| %s | %s | %s | %s | %s | %s× | %.1f |", n, a, t, f(d), f(m), f(m > 0 ? d / m : 0), mb }')")
  : > "$tmp/mesa.log"
done

load_end=$(cut -d' ' -f1-3 /proc/loadavg)

echo
echo "| scenario | actors | threads | diplosim runs/s | Mesa runs/s | ratio | diplosim peak MB |"
echo "|---|---:|---:|---:|---:|---:|---:|"
printf '%s\n' "${rows[@]}"
echo
echo "$started; nproc $(nproc); load average (1/5/15 min) at start $load_start, at end $load_end;" \
  "REPS=$reps (medians)$([ "${QUICK:-0}" = 1 ] && echo '; QUICK=1: smoke test, numbers meaningless');" \
  "diplosim $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$root" diff --quiet HEAD -- src 2>/dev/null || echo '+local changes'), mesa $mesa_version." \
  "Threads = diplosim --threads and Mesa --procs. Both tools read the same resolved files and implement" \
  "model 0.6 (bench/mesa/check.py checks their agreement)."
