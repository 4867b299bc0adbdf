#!/usr/bin/env bash
# diplosim against the Mesa 3.5.1 reference implementation, side by side on the same scenario files.
#
# The reference (model.py, gen_synth.py; see its README.md) is called in place, never copied:
#   MESA_REF   folder of model.py   (default /work/shared/bench/mesa_ref, else ../shared/bench/mesa_ref)
#   MESA_VENV  Python venv with mesa (default /tmp/mesa_ref; created as the README says when missing:
#              python3.12 from pyenv, then pip install 'mesa[network]==3.5.1')
#
# Fairness: model.py's Params defaults are old (beta 0.3, rate 0.12, temperature 0.15). Both tools
# are therefore given the same scenario files, each with an explicit [model] block holding
# diplosim's *current* values (read from `diplosim show baseline --toml`) of every key model.py
# knows (the fields of its Params dataclass). diplosim-only keys (e.g. eta) stay at diplosim's
# defaults and are listed in the output. Scenarios: baseline (scenarios/baseline.toml, which must
# have no [model] table of its own) and synthetic N = 10, 50, 200 actors from gen_synth.py.
# Before timing, each file is loaded by both tools and compared (actors, relations, issue, steps,
# seed, [model]); a disagreement is printed as a WARNING.
#
# Not the same model: Mesa's model.py predates diplosim's rules 7-8 (rule 7: every event moves the
# target's stance; rule 8: code choice weighted by the base rates f_k). diplosim does that extra
# work per event; Mesa does not.
#
# Timing: for each scenario the two tools run as whole processes, alternately (which goes first
# alternates per repetition), REPS times; medians of runs/s are reported.
#   diplosim: runs/s = R / wall, wall and peak RSS from /usr/bin/time -f '%e %M' (so process start,
#             scenario parsing and writing the output tables are included).
#   Mesa:     runs/s as model.py prints it (runs_per_s=, its own timer around the runs only: Python
#             start-up, `import mesa` and scenario parsing are NOT included; that favours Mesa).
# Run counts aim at 1-5 s per process on a 2-core machine; override with env vars:
#   DS_RUNS_SMALL (9-10 actors, default 20000)  DS_RUNS_50 (500)   DS_RUNS_200 (40)
#   MESA_RUNS_SMALL (default 40)                MESA_RUNS_50 (8)   MESA_RUNS_200 (2)
#   REPS (default 3). The 2-thread / 2-process baseline row uses the SMALL counts.
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
if [ -n "${MESA_REF:-}" ]; then
  mesa_ref=$MESA_REF
elif [ -d /work/shared/bench/mesa_ref ]; then
  mesa_ref=/work/shared/bench/mesa_ref
else
  mesa_ref=$root/../shared/bench/mesa_ref
fi
[ -f "$mesa_ref/model.py" ] && [ -f "$mesa_ref/gen_synth.py" ] \
  || die "no model.py / gen_synth.py in '$mesa_ref' (set MESA_REF to the mesa_ref folder)"
mesa_ref=$(cd "$mesa_ref" && pwd)

venv=${MESA_VENV:-/tmp/mesa_ref}
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
cargo build --release --locked --quiet
bin=$root/target/release/diplosim
[ -x "$bin" ] || die "no $bin after cargo build"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/scen"

# ---- the shared [model] block: diplosim's current values of the keys model.py knows ------------
has_model_table() { grep -Eq '^[[:space:]]*\[[[:space:]]*model[[:space:]]*[].]' "$1"; }
has_model_table scenarios/baseline.toml \
  && die "scenarios/baseline.toml now has a [model] table; this script assumes it has none
  (diplosim's defaults are read from it). Update the script."

"$bin" show baseline --toml > "$tmp/baseline.resolved.toml"
# Writes the block to model_block.toml and prints "shared: ...", "diplosim only: ..." lines.
"$py" - "$mesa_ref" "$tmp/baseline.resolved.toml" "$tmp/model_block.toml" <<'PY'
import dataclasses, sys, tomllib
ref, resolved, out = sys.argv[1:4]
sys.path.insert(0, ref)
from model import Params  # the reference's own list of [model] keys
mesa_keys = [f.name for f in dataclasses.fields(Params)]
with open(resolved, "rb") as f:
    ds_model = tomllib.load(f).get("model", {})
missing = [k for k in mesa_keys if k not in ds_model]
if missing:
    sys.exit(f"mesa_side_by_side: diplosim's [model] has no {missing}; model.py would use its "
             "own (old) defaults for them. Update the script.")
def fmt(v):
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        sys.exit(f"mesa_side_by_side: unexpected [model] value {v!r}")
    return repr(v)
with open(out, "w") as f:
    f.write("\n# Added by scripts/mesa_side_by_side.sh: diplosim's current values of the [model]\n"
            "# keys that the Mesa reference (model.py Params) knows, given to both tools.\n[model]\n")
    for k in mesa_keys:
        f.write(f"{k} = {fmt(ds_model[k])}\n")
print("shared [model]: " + ", ".join(f"{k}={ds_model[k]}" for k in mesa_keys))
print("diplosim-only [model] keys (diplosim defaults, no Mesa counterpart): "
      + (", ".join(f"{k}={v}" for k, v in ds_model.items() if k not in mesa_keys) or "none"))
PY

# ---- scenario files ----------------------------------------------------------------------------
cp scenarios/baseline.toml "$tmp/scen/baseline.toml"
"$py" "$mesa_ref/gen_synth.py" --out "$tmp/scen" 10 50 200 >/dev/null
names=(baseline synth_n10 synth_n50 synth_n200)
for n in "${names[@]}"; do
  f=$tmp/scen/$n.toml
  [ -f "$f" ] || die "missing scenario file $f (did gen_synth.py change its file names?)"
  has_model_table "$f" && die "$f already has a [model] table"
  cat "$tmp/model_block.toml" >> "$f"
done

# ---- both tools read the same thing? -----------------------------------------------------------
for n in "${names[@]}"; do
  "$bin" show "$tmp/scen/$n.toml" --toml > "$tmp/scen/$n.resolved.toml"
done
# Prints "name actors" lines (the actor count both agree on, or "D/M" when they do not).
"$py" - "$mesa_ref" "$tmp/scen" "${names[@]}" > "$tmp/actors.txt" <<'PY'
import dataclasses, math, sys, tomllib
ref, scen = sys.argv[1:3]
sys.path.insert(0, ref)
from model import load_scenario, Params
def warn(msg):
    print(f"mesa_side_by_side: WARNING: {msg}", file=sys.stderr)
def close(a, b):
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)
    return a == b
for name in sys.argv[3:]:
    m = load_scenario(f"{scen}/{name}.toml")
    with open(f"{scen}/{name}.resolved.toml", "rb") as f:
        d = tomllib.load(f)
    d_actors = {a["id"]: a for a in d.get("actor", [])}
    n_d, n_m = len(d_actors), len(m.actors)
    if n_d != n_m:
        warn(f"{name}: diplosim has {n_d} actors, Mesa {n_m}")
    for k in (f.name for f in dataclasses.fields(Params)):
        if not close(getattr(m.params, k), d["model"].get(k)):
            warn(f"{name}: [model] {k}: diplosim {d['model'].get(k)}, Mesa {getattr(m.params, k)}")
    for k, dv in (("steps", d["scenario"]["steps"]), ("seed", d["scenario"]["seed"])):
        if getattr(m, k) != dv:
            warn(f"{name}: {k}: diplosim {dv}, Mesa {getattr(m, k)}")
    for k in (f.name for f in dataclasses.fields(m.issue)):
        if k in d.get("issue", {}) and not close(getattr(m.issue, k), d["issue"][k]):
            warn(f"{name}: issue.{k}: diplosim {d['issue'][k]}, Mesa {getattr(m.issue, k)}")
    for a in m.actors:
        da = d_actors.get(a.id)
        if da is None:
            warn(f"{name}: actor {a.id} only in Mesa"); continue
        for k in (f.name for f in dataclasses.fields(a)):
            if k in ("id", "name", "self_weight") or k not in da:
                continue
            mv = list(getattr(a, k)) if k == "member_of" else getattr(a, k)
            if not close(mv, da[k]):
                warn(f"{name}: actor {a.id}.{k}: diplosim {da[k]}, Mesa {mv}")
    d_rel = {(r["from"], r["to"]): r.get("affinity", 0.0) for r in d.get("relation", [])}
    m_rel = {(r.src, r.dst): r.affinity for r in m.relations}
    if set(d_rel) != set(m_rel):
        warn(f"{name}: relations differ: {len(d_rel)} in diplosim, {len(m_rel)} in Mesa")
    bad = [p for p in set(d_rel) & set(m_rel) if not close(d_rel[p], m_rel[p])]
    if bad:
        warn(f"{name}: {len(bad)} relation affinities differ, e.g. {bad[0]}")
    if len(d.get("shock", [])) != len(m.shocks):
        warn(f"{name}: shocks: {len(d.get('shock', []))} in diplosim, {len(m.shocks)} in Mesa")
    print(name, n_d if n_d == n_m else f"{n_d}/{n_m}")
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
  f=$tmp/scen/$n.toml
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
  "Threads = diplosim --threads and Mesa --procs. Both tools read the same files with the [model] block above;" \
  "Mesa lacks diplosim's rules 7-8."
