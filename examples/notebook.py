"""A notebook-style walk through diplosim from Python (runnable as a script; each `# %%` is a
cell in VS Code or Jupytext). Needs `pip install ./python pandas` (matplotlib optional).

    python examples/notebook.py            # from the repository root

It answers one question: does France's objection (`ally_objects`) change when — and whether —
NATO's Tokyo office opens, against the article's baseline?
"""

# %% Run two scenarios as ensembles (the interpreter is free meanwhile; Ctrl-C stops them).
from pathlib import Path

import diplosim

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"
RUNS = 500

base = diplosim.run("baseline", runs=RUNS, scenarios=SCENARIOS)
objects = diplosim.run("ally_objects", runs=RUNS, scenarios=SCENARIOS)
for name, r in (("baseline", base), ("ally_objects", objects)):
    office = r.summary["office"]
    print(
        f"{name:13} P(opened) {office['p_opened']:.3f}  P(approved) {office['p_approved']:.3f}  "
        f"median week approved {office['approved_step']}, opened {office['opened_step']}"
    )

# %% The ensembles' tables are Arrow tables; to pandas for analysis.
import pandas as pd

frames = []
for name, r in (("baseline", base), ("ally_objects", objects)):
    df = r.to_pandas("ensemble")
    df["scenario"] = name
    frames.append(df)
ens = pd.concat(frames, ignore_index=True)
stance = ens[ens["metric"] == "stance"]
end = stance[stance["step"] == stance["step"].max()]
table = end.pivot_table(index="actor", columns="scenario", values="mean", observed=True)
table["difference"] = table["ally_objects"] - table["baseline"]
print("\nFinal mean stance by actor (France is only in ally_objects):")
print(table.round(3).to_string(na_rep="-"))

# %% A paired comparison: run r of each scenario shares its random numbers, so the intervals
# separate real differences from noise.
cmp = diplosim.compare("baseline", "ally_objects", runs=RUNS, scenarios=SCENARIOS)
diffs = cmp.to_pandas("differences")
material = diffs[diffs["verdict"] == "differs materially"][["outcome", "diff", "diff_lo95", "diff_hi95"]]
print("\nDifferences that matter (ally_objects − baseline, paired, 95% interval):")
print(material.round(3).to_string(index=False))
peaks = cmp.to_pandas("peaks")
peaks = peaks[peaks["verdict"] == "differs materially"]
if len(peaks):
    print("\nStances that move mid-run more than at the end (largest paired difference, by week):")
    print(peaks[["actor", "week", "diff"]].round(3).to_string(index=False))

# %% The answer, in one sentence.
d = diffs[diffs["scenario"] == "ally_objects"].set_index("outcome")
opened, week = d.loc["p_opened"], d.loc["opening_week"]
print(
    f"\nAnswer: France's objection changes P(opened) by {100 * opened['diff']:+.1f} points "
    f"({opened['verdict']}) and delays the opening by {week['diff']:.1f} weeks "
    f"(95% interval {week['diff_lo95']:.1f} to {week['diff_hi95']:.1f}; {week['verdict']})."
)

# %% Plot the office's status over time, if matplotlib is installed.
try:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
except ImportError:
    print("\n(matplotlib is not installed: no plot)")
else:
    office = ens[ens["metric"] == "office_status"]
    fig, ax = plt.subplots(figsize=(7, 3.5))
    for name, g in office.groupby("scenario", observed=True):
        ax.plot(g["step"], g["mean"], label=name)
    ax.set_xlabel("week")
    ax.set_ylabel("mean office status (−1 shelved … 3 opened)")
    ax.legend()
    out = ROOT / "output" / "notebook-office.png"
    out.parent.mkdir(exist_ok=True)
    fig.savefig(out, dpi=120, bbox_inches="tight")
    print(f"\nplot: {out}")
