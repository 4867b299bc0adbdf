"""Benchmark: an ensemble of 10,000 baseline runs from Python against the same from the
command line (issue 29's target: Python at most 1.1x the CLI's time).

Both write the same folder (`--format both --no-charts`, every thread of the machine); the
timings alternate, and the medians of REPEATS each are compared. Run from the repository root
after `cargo build --release` and `pip install ./python`:

    python python/bench/ensemble.py [RUNS] [REPEATS]
"""

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import diplosim

ROOT = Path(__file__).resolve().parents[2]
BIN = os.environ.get("DIPLOSIM_BIN", str(ROOT / "target/release/diplosim"))
RUNS = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
REPEATS = int(sys.argv[2]) if len(sys.argv) > 2 else 5


def cli_once() -> float:
    with tempfile.TemporaryDirectory() as d:
        t = time.perf_counter()
        subprocess.run(
            [BIN, "--scenarios", str(ROOT / "scenarios"), "run", "baseline", "--runs", str(RUNS),
             "--format", "both", "--no-charts", "--quiet", "--out", os.path.join(d, "out")],
            check=True,
        )
        return time.perf_counter() - t


def python_once() -> float:
    t = time.perf_counter()
    r = diplosim.run("baseline", runs=RUNS, scenarios=ROOT / "scenarios")
    elapsed = time.perf_counter() - t
    assert r.summary["runs"] == RUNS
    return elapsed


cli_once(), python_once()  # warm the caches
cli, py = [], []
for _ in range(REPEATS):
    cli.append(cli_once())
    py.append(python_once())
c, p = statistics.median(cli), statistics.median(py)
print(f"{RUNS} baseline runs, median of {REPEATS}: CLI {c:.3f} s, Python {p:.3f} s, ratio {p / c:.3f}")
