#!/usr/bin/env python3
"""Agreement in distribution: diplosim against model.py (this folder) on one scenario.

Both tools run the same resolved scenario file (`diplosim show SCENARIO --toml`), diplosim with
--events all, model.py with --json-out --events, and every measure below is compared side by
side with a tolerance:

  * means of per-run quantities (events, issue signals by window of weeks, coercive events,
    economic measures, final stance and posture per actor): |difference| <= Z * SE of the
    difference (Z = 4; SEs from the runs' spread, diplosim's from summary.json where it only
    gives a mean and sd), or exactly equal when neither tool varies;
  * shares (class shares of China's issue signals to NATO and of all background events):
    |difference| <= Z * SE, SEs clustered by run (events of one run are not independent);
  * probabilities (P(opened), P(any coercive event)): |difference| <= Z * binomial SE (pooled),
    or equal when both are 0 or 1;
  * spread (sd of the final stance per actor): |difference| <= Z * SE(sd), SE(sd) =
    sd sqrt((kurtosis - 1) / 4n) with the kurtosis of model.py's runs;
  * decisions in time (model 0.6): P(approved) and P(opened) from the ensemble's summary.json;
    P(shelved), P(substitute adopted), P(scaled down), P(a government turned over), the mean
    approval and shelving weeks (among the runs that got there), votes per run, votes called
    within reach (off the calendar) per run, bargaining deals per run by kind and the final scope,
    from --ds-single separate single runs of diplosim (seeds 100000 + k: run 0 of each seed, whose
    summary.json lists votes, deals, turnovers, shelved_step and substitute_step), as means and
    probabilities above.

With about 50 measures at Z = 4 a correct implementation fails one with probability ~0.3%.

    /tmp/mesa05/bin/python bench/mesa/check.py                       # baseline, 2000 / 1000 runs
    /tmp/mesa05/bin/python bench/mesa/check.py --scenario ally_objects --mesa-runs 600
    /tmp/mesa05/bin/python bench/mesa/check.py --scenario bench/mesa/decide.toml --ds-runs 1200 --mesa-runs 1000
Exit status 1 if any measure fails.
"""
from __future__ import annotations

import argparse
import json
import math
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import model as M  # noqa: E402

Z = 4.0
CLASS = {c: M.CLASS[k] for k, c in enumerate(M.CODES)}


def run_diplosim(resolved: Path, runs: int, out: Path, threads: int):
    subprocess.run([M.diplosim_bin(), "run", str(resolved), "--runs", str(runs), "--events",
                    "all", "--out", str(out), "--no-charts", "--quiet", "--force",
                    "--threads", str(threads)], check=True, cwd=M.PROJECT)
    ev = pd.read_csv(out / "events.csv", dtype={"code": str, "actor": "category", "target": "category"},
                     usecols=["run", "step", "actor", "target", "code", "goldstein", "issue"])
    with open(out / "summary.json") as f:
        summary = json.load(f)
    return ev, summary


SINGLE_SEED = 100000


def run_diplosim_single(resolved: Path, runs: int, out: Path, threads: int):
    """`runs` single runs (seeds SINGLE_SEED + k), each one's summary.json office block."""
    def one(k):
        d = out / f"single_{k}"
        cmd = [M.diplosim_bin(), "run", str(resolved), "--seed", str(SINGLE_SEED + k),
               "--out", str(d), "--no-charts", "--quiet", "--force"]
        for attempt in range(4):   # the binary may be replaced by a rebuild meanwhile
            try:
                subprocess.run(cmd, check=True, cwd=M.PROJECT)
                break
            except (OSError, subprocess.CalledProcessError):
                if attempt == 3:
                    raise
                time.sleep(30)
        with open(d / "summary.json") as f:
            office = json.load(f)["office"]
        shutil.rmtree(d)
        return office

    with ThreadPoolExecutor(max(1, threads)) as ex:
        return list(ex.map(one, range(runs)))


def run_mesa(resolved: Path, runs: int, out: Path, procs: int, seed: int):
    jl = out / "mesa.jsonl"
    res = subprocess.run([sys.executable, str(HERE / "model.py"), "--scenario", str(resolved),
                          "--runs", str(runs), "--procs", str(procs), "--seed", str(seed),
                          "--no-collect", "--json-out", str(jl), "--events"],
                         check=True, capture_output=True, text=True)
    print("model.py: " + res.stdout.strip(), file=sys.stderr)
    runs_ = [json.loads(line) for line in open(jl)]
    cm = M.Compiled(M.load_scenario(resolved))
    rows = []
    for r in runs_:
        lg = r["log"]
        rows.append(pd.DataFrame({
            "run": r["run"], "step": lg["step"],
            "actor": [cm.ids[i] for i in lg["actor"]],
            "target": [cm.ids[j] for j in lg["target"]],
            "code": [M.CODES[k] for k in lg["code"]],
            "goldstein": M.GOLDSTEIN[lg["code"]] if lg["code"] else [],
            "issue": lg["issue"]}))
    return pd.concat(rows, ignore_index=True), runs_


# ---- statistics ------------------------------------------------------------------------------
def per_run(ev: pd.DataFrame, runs: int, mask=None) -> np.ndarray:
    e = ev if mask is None else ev[mask]
    return np.bincount(e["run"].to_numpy(), minlength=runs)[:runs].astype(float)


def mean_se(x: np.ndarray):
    return float(x.mean()), float(x.std(ddof=1) / math.sqrt(len(x))) if len(x) > 1 else 0.0


def shares(ev: pd.DataFrame, runs: int):
    """Class shares of ev's events and their run-clustered SEs."""
    cls = ev["code"].map(CLASS).to_numpy()
    run = ev["run"].to_numpy()
    n_r = np.bincount(run, minlength=runs).astype(float)
    tot = n_r.sum()
    out = []
    for c in range(4):
        x_r = np.bincount(run[cls == c], minlength=runs).astype(float)
        p = x_r.sum() / tot if tot else 0.0
        se = math.sqrt(((x_r - p * n_r) ** 2).sum()) / tot if tot else 0.0
        out.append((p, se))
    return out


class Table:
    def __init__(self):
        self.rows = []

    def add(self, name, d, m, tol, fmt="{:.4g}"):
        ok = abs(d - m) <= tol + 1e-12
        self.rows.append((name, fmt.format(d), fmt.format(m), "±" + fmt.format(tol),
                          "PASS" if ok else "FAIL"))

    def mean(self, name, d, m, fmt="{:.4g}"):
        (dm, dse), (mm, mse) = d, m
        self.add(name, dm, mm, Z * math.hypot(dse, mse), fmt)

    def prob(self, name, pd_, nd, pm, nm):
        p = (pd_ * nd + pm * nm) / (nd + nm)
        self.add(name, pd_, pm, Z * math.sqrt(p * (1 - p) * (1 / nd + 1 / nm)), "{:.4f}")

    def print(self):
        w = max(len(r[0]) for r in self.rows)
        print(f"| {'measure':<{w}} | diplosim | Mesa | tolerance | |")
        print(f"|{'-' * (w + 2)}|---:|---:|---:|---|")
        for r in self.rows:
            print(f"| {r[0]:<{w}} | {r[1]} | {r[2]} | {r[3]} | {r[4]} |")
        fails = sum(r[4] == "FAIL" for r in self.rows)
        print(f"\n{len(self.rows) - fails} of {len(self.rows)} measures PASS"
              f" (tolerance {Z:g} standard errors of the difference)")
        return fails


def decisions(t: Table, cm, off: dict, nd: int, dsingle: list, mruns: list, nm: int):
    """Model 0.6's decisions in time: diplosim's ensemble for P(approved), its single runs for
    the rest (Mesa's runs report the same fields)."""
    p_appr_m = float(np.mean([r["approved_step"] is not None for r in mruns]))
    t.prob("P(approved)", off["p_approved"], nd, p_appr_m, nm)
    ns = len(dsingle)
    if not ns:
        return
    iss = cm.sc.issue

    def calendar(step):
        return step >= iss.first_vote and (step - iss.first_vote) % iss.vote_interval == 0

    def prob(name, f):
        t.prob(name, float(np.mean([bool(f(o)) for o in dsingle])), ns,
               float(np.mean([bool(f(r)) for r in mruns])), nm)

    def mean(name, f, fmt="{:.4g}"):
        d = np.array([f(o) for o in dsingle], float)
        m = np.array([f(r) for r in mruns], float)
        t.mean(name, mean_se(d), mean_se(m), fmt)

    def mean_among(name, key):
        d = np.array([o[key] for o in dsingle if o[key] is not None], float)
        m = np.array([r[key] for r in mruns if r[key] is not None], float)
        if len(d) and len(m):
            t.mean(name, mean_se(d), mean_se(m), "{:.3f}")
        elif len(d) or len(m):   # the probability above judges whether that is chance
            print(f"note: {name}: {len(d)} diplosim runs, {len(m)} Mesa runs; not compared")

    prob("P(shelved) (single runs)", lambda o: o["shelved_step"] is not None)
    prob("P(substitute adopted) (single runs)", lambda o: o["substitute_step"] is not None)
    prob("P(scaled down) (single runs)", lambda o: o["scope"] < 1.0)
    prob("P(a government turned over) (single runs)", lambda o: len(o["turnovers"]) > 0)
    mean_among("approval week (runs approved, single runs)", "approved_step")
    mean_among("shelving week (runs shelved, single runs)", "shelved_step")
    mean("votes per run (single runs)", lambda o: len(o["votes"]))
    mean("votes within reach (off the calendar) per run (single runs)",
         lambda o: sum(not calendar(v["step"]) for v in o["votes"]))
    for kind in ("compromise", "gives_way", "payment", "scale_down"):
        mean(f"deals per run: {kind} (single runs)",
             lambda o, kind=kind: sum(d["kind"] == kind for d in o["deals"]))
    mean("final scope (single runs)", lambda o: o["scope"], "{:.4f}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenario", default="baseline")
    ap.add_argument("--ds-runs", type=int, default=2000)
    ap.add_argument("--mesa-runs", type=int, default=1000)
    ap.add_argument("--ds-single", type=int, default=None,
                    help="diplosim single runs for the decision measures (default --ds-runs; 0: none)")
    ap.add_argument("--procs", type=int, default=2, help="model.py processes, diplosim threads")
    ap.add_argument("--seed", type=int, default=12345, help="model.py's seed")
    ap.add_argument("--out", type=Path, default=None, help="keep the outputs here")
    args = ap.parse_args()
    out = args.out or Path(tempfile.mkdtemp(prefix="mesa_check_"))
    out.mkdir(parents=True, exist_ok=True)
    resolved = out / "scenario.resolved.toml"
    resolved.write_text(subprocess.run([M.diplosim_bin(), "show", args.scenario, "--toml"],
                                       check=True, capture_output=True, text=True,
                                       cwd=M.PROJECT).stdout)
    version = subprocess.run([M.diplosim_bin(), "--version"], capture_output=True,
                             text=True).stdout.strip()
    cm = M.Compiled(M.load_scenario(resolved))
    nd, nm = args.ds_runs, args.mesa_runs
    dev, dsum = run_diplosim(resolved, nd, out / "diplosim", args.procs)
    ns = nd if args.ds_single is None else args.ds_single
    dsingle = run_diplosim_single(resolved, ns, out, args.procs) if ns > 0 else []
    mev, mruns = run_mesa(resolved, nm, out, args.procs, args.seed)

    t = Table()
    evs = {"d": (dev, nd), "m": (mev, nm)}

    def both(fn):
        return fn(*evs["d"]), fn(*evs["m"])

    def counted(mask_fn, name):
        d, m = both(lambda ev, n: mean_se(per_run(ev, n, mask_fn(ev) if mask_fn else None)))
        t.mean(name, d, m)

    counted(None, "events per run")
    counted(lambda e: e["issue"] == 0, "background events per run")
    counted(lambda e: e["issue"] == 1, "issue signals per run")
    for lo, hi in ((1, 1), (2, 2), (3, 6), (7, 7), (8, 31), (32, 33), (34, cm.steps)):
        label = f"week {lo}" if lo == hi else f"weeks {lo}-{hi}"
        counted(lambda e, lo=lo, hi=hi: (e["issue"] == 1) & e["step"].between(lo, hi),
                f"issue signals per run, {label}")
    counted(lambda e: e["goldstein"] <= M.COERCIVE, "coercive events per run (G <= -7)")
    counted(lambda e: e["code"].isin(["162", "163"]), "economic measures per run (162, 163)")
    counted(lambda e: e["code"].isin(["138", "150"]), "military threats/shows per run (138, 150)")
    # Shares.
    host, body = cm.sc.issue.host, cm.sc.issue.body
    pairs = [("china", body), ("china", host), ("russia", body), (host, body)]
    for a, b in pairs:
        if a not in cm.index or b not in cm.index or a == b:
            continue
        if not ((dev["issue"] == 1) & (dev["actor"] == a) & (dev["target"] == b)).any():
            continue
        sel = lambda e, a=a, b=b: e[(e["issue"] == 1) & (e["actor"] == a) & (e["target"] == b)]
        dsh, msh = both(lambda ev, n: shares(sel(ev), n))
        for c in range(4):
            t.mean(f"{a}→{b} issue signals: {M.CLASS_NAMES[c]} share", dsh[c], msh[c], "{:.4f}")
    dsh, msh = both(lambda ev, n: shares(ev[ev["issue"] == 0], n))
    for c in range(4):
        t.mean(f"background events: {M.CLASS_NAMES[c]} share", dsh[c], msh[c], "{:.4f}")
    # Probabilities.
    off = dsum["office"]
    p_open_m = float(np.mean([r["status"] == "opened" for r in mruns]))
    t.prob("P(opened)", off["p_opened"], nd, p_open_m, nm)
    d_any = float((per_run(dev, nd, dev["goldstein"] <= M.COERCIVE) > 0).mean())
    m_any = float((per_run(mev, nm, mev["goldstein"] <= M.COERCIVE) > 0).mean())
    t.prob("P(any coercive event)", d_any, nd, m_any, nm)
    # Opening week (among runs that opened).
    hist = {int(k): v for k, v in (off.get("opening_step") or {}).get("histogram", {}).items()}
    if hist:
        wk = np.repeat(list(hist), list(hist.values())).astype(float)
        mo = np.array([r["opened_step"] for r in mruns if r["opened_step"] is not None], float)
        if len(mo):
            t.mean("opening week (runs that opened)", mean_se(wk), mean_se(mo), "{:.3f}")
    decisions(t, cm, off, nd, dsingle, mruns, nm)
    # Final stances and postures.
    for key, what in (("stance", "final stance"), ("posture", "final posture")):
        for a in cm.ids:
            dist = dsum["final"][a][f"{key}_dist"]
            d = (dist["mean"], dist["sd"] / math.sqrt(nd))
            m = mean_se(np.array([r[key][a] for r in mruns]))
            t.mean(f"{what}, {a}", d, m, "{:.4f}")
    for a in cm.ids:
        # SE(sd) = sd sqrt((kurtosis - 1) / 4n), the kurtosis from Mesa's runs for both (the same
        # distribution under agreement; a mixture, e.g. runs that opened and runs that did not,
        # has a kurtosis far from a normal's 3).
        x = np.array([r["stance"][a] for r in mruns])
        sd_d, sd_m = dsum["final"][a]["stance_dist"]["sd"], float(x.std(ddof=1))
        kurt = float(((x - x.mean()) ** 4).mean() / x.var() ** 2) if x.var() > 0 else 3.0
        f = math.sqrt(max(kurt - 1.0, 0.0) / 4.0)
        t.add(f"sd of final stance, {a}", sd_d, sd_m,
              Z * f * math.hypot(sd_d / math.sqrt(nd), sd_m / math.sqrt(nm)), "{:.4f}")
    # diplosim's own count of drawn coercive events against its events.csv.
    hm = dsum["hostile"]["mean_per_run"]
    mine = per_run(dev, nd, dev["goldstein"] <= M.COERCIVE).mean()
    if abs(hm - mine) > 5e-7 and not any(sh.kind == "event" for sh in cm.sc.shocks):
        print(f"note: diplosim summary hostile.mean_per_run {hm} != events.csv {mine}")

    print(f"# {args.scenario}: diplosim ({version}) {nd} runs, Mesa model.py {nm} runs "
          f"(seed {args.seed}); outputs in {out}\n")
    fails = t.print()
    sys.exit(1 if fails else 0)


if __name__ == "__main__":
    main()
