"""The Python package against the command line: the same bytes for the same inputs, typed
tables, clear exceptions for bad input, Ctrl-C that stops promptly and leaves nothing.

Run from the repository root: ``pytest python/tests`` (after ``pip install ./python``). The
command-line binary for the byte comparisons is ``$DIPLOSIM_BIN``, else the newest of
``target/release/diplosim`` and ``target/debug/diplosim`` (``cargo build`` makes it).
"""

import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import diplosim

ROOT = Path(__file__).resolve().parents[2]
os.environ.setdefault("DIPLOSIM_SCENARIOS", str(ROOT / "scenarios"))
os.environ.setdefault("DIPLOSIM_CASES", str(ROOT / "cases"))


def cli_binary() -> Path:
    if os.environ.get("DIPLOSIM_BIN"):
        return Path(os.environ["DIPLOSIM_BIN"])
    found = [p for p in (ROOT / "target/release/diplosim", ROOT / "target/debug/diplosim") if p.exists()]
    if not found:
        pytest.fail("no diplosim binary: run `cargo build` (or set DIPLOSIM_BIN)")
    return max(found, key=lambda p: p.stat().st_mtime)


def cli(*args: str) -> None:
    subprocess.run([str(cli_binary()), *args], check=True, cwd=ROOT)


def test_scenarios_lists_the_named_scenarios():
    names = {s["name"]: s["title"] for s in diplosim.scenarios()}
    assert "baseline" in names and "nac" in names
    assert names["baseline"]


def test_a_single_run_has_typed_tables():
    r = diplosim.run("baseline")
    assert r.tables() == ["events", "timeseries"]
    ts = r.timeseries
    assert ts.schema.field("step").type == pa.int64()
    assert pa.types.is_dictionary(ts.schema.field("actor").type)
    assert ts.schema.field("value").type == pa.float64()
    # 9 actors × 4 metrics + 5 regional, for steps 0..104 (the baseline's two years).
    steps = r.summary["steps"]
    assert ts.num_rows == (steps + 1) * (9 * 4 + 5)
    ev = r.events
    codes = set(ev.column("code").to_pylist())
    assert "010" in codes and all(c.isdigit() for c in codes), "CAMEO codes keep their zeros"


def test_the_saved_folder_is_the_command_line_s(tmp_path):
    r = diplosim.run("nac", runs=60, seed=3)
    py = r.save(tmp_path / "py")
    cli("run", "nac", "--runs", "60", "--seed", "3", "--format", "both", "--quiet", "--no-charts", "--out", str(tmp_path / "cli"))
    names = sorted(p.name for p in py.iterdir())
    assert names == sorted(p.name for p in (tmp_path / "cli").iterdir())
    assert "ensemble.parquet" in names and "ensemble.csv" in names
    for n in names:
        a, b = (py / n).read_bytes(), (tmp_path / "cli" / n).read_bytes()
        if n == "manifest.json":
            # When it was made may differ by a second.
            ma, mb = json.loads(a), json.loads(b)
            ma.pop("created"), mb.pop("created")
            assert ma == mb
        else:
            assert a == b, n
    assert r.summary == json.loads((tmp_path / "cli" / "summary.json").read_text())


def test_ensembles_go_to_pandas_and_polars():
    r = diplosim.run("baseline", runs=40, threads=2)
    df = r.to_pandas()
    assert list(df.columns[:3]) == ["step", "actor", "metric"]
    assert len(df) == r.ensemble.num_rows
    pl = pytest.importorskip("polars")
    d = r.to_polars("event_counts")
    assert d.shape[0] == r.event_counts.num_rows
    assert d.schema["mean_per_run"] == pl.Float64


def test_every_parquet_file_reads_in_pyarrow_and_polars(tmp_path):
    pl = pytest.importorskip("polars")
    cal = diplosim.calibrate("record_2023", samples=16, runs=2, rounds=1)
    results = [
        diplosim.run("baseline"),
        diplosim.run("baseline", runs=20),
        diplosim.compare("baseline", "ally_objects", runs=20),
        diplosim.sweep("baseline", vary=["model.noise=0:0.1:2"], runs=4),
        diplosim.sweep("baseline", method="sobol", samples=8, runs=2),
        cal,
        diplosim.backtest(runs=20),
    ]
    seen = set()
    for r in results:
        for f in r.path.glob("*.parquet"):
            t = pq.read_table(f)
            d = pl.read_parquet(f)
            assert d.shape == (t.num_rows, t.num_columns), f
            meta = json.loads(t.schema.metadata[b"diplosim.manifest"])
            assert meta["command"].startswith("diplosim ") and "created" not in meta
            seen.add(f.stem)
    assert seen >= {
        "timeseries", "events", "ensemble", "event_counts", "comparison", "differences",
        "peaks", "sweep", "points", "sensitivity", "posterior", "backtest",
    }
    # A single name is one case, not its letters; a compare result says it has no summary.
    one = diplosim.backtest("thaad", runs=10)
    assert one.backtest.column("case").to_pylist() == ["thaad"] * one.backtest.num_rows
    cats = one.backtest.column("categories").to_pylist()
    assert all(isinstance(c, list) and len(c) >= 2 for c in cats)
    with pytest.raises(diplosim.DiplosimError, match="no summary"):
        results[2].summary
    # A calibration's folder feeds a forecast with parameter uncertainty.
    f = diplosim.run("record_2023", runs=20, posterior=cal.path)
    assert f.summary["runs"] == 20


def test_show_resolves_overrides():
    text = diplosim.show("baseline", set={"model.noise": 0.07})
    assert "noise = 0.07" in text
    if sys.version_info >= (3, 11):
        import tomllib

        assert tomllib.loads(text)["model"]["noise"] == 0.07


def test_bad_input_raises_clear_exceptions(tmp_path):
    with pytest.raises(diplosim.UsageError, match="no scenario named `nosuch`"):
        diplosim.run("nosuch")
    with pytest.raises(diplosim.ScenarioError) as e:
        diplosim.run("baseline", set={"model.nois": 0.1})
    assert (e.value.file, e.value.line, e.value.key) == ("--set", 1, "model.nois")
    assert e.value.column == 12 and "did you mean" in str(e.value) or "nois" in str(e.value)
    bad = tmp_path / "bad.toml"
    bad.write_text('[scenario]\nextends = "baseline"\n[model]\nnoise = "loud"\n')
    with pytest.raises(diplosim.ScenarioError) as e:
        diplosim.run(bad)
    assert e.value.file.endswith("bad.toml") and e.value.line == 4 and e.value.key == "model.noise"
    assert e.value.diagnostics[0]["line"] == 4
    with pytest.raises(TypeError):
        diplosim.run("baseline", runs="ten")
    with pytest.raises(TypeError):
        diplosim.run("baseline", set={"model.noise": object()})
    with pytest.raises(diplosim.UsageError):
        diplosim.run("baseline", events="sometimes")
    with pytest.raises(ValueError):
        diplosim.compare("baseline")
    # A whole-file problem has no line: None, not 0.
    empty = tmp_path / "empty.toml"
    empty.write_text('[scenario]\nname = "empty"\ntitle = "t"\n')
    with pytest.raises(diplosim.ScenarioError) as e:
        diplosim.run(empty)
    assert e.value.line is None or e.value.line > 0
    # Python's own words for what the command line would call a flag.
    with pytest.raises(diplosim.UsageError, match="scenarios=DIR"):
        diplosim.run("baseline", scenarios=tmp_path / "nowhere")
    with pytest.raises(diplosim.UsageError, match="scenarios=DIR"):
        diplosim.scenarios(tmp_path / "nowhere")
    with pytest.raises(diplosim.UsageError, match="no such folder"):
        diplosim.run("record_2023", runs=10, posterior=tmp_path / "nowhere")
    with pytest.raises(diplosim.UsageError) as e:
        diplosim.run("baseline", steps=10**9)
    assert "--help" not in str(e.value)
    with pytest.raises(TypeError):
        diplosim.compare("baseline", "ally_objects", window="16:30")
    # All are DiplosimErrors, never a crash of the interpreter, and named from the package.
    assert issubclass(diplosim.ScenarioError, diplosim.DiplosimError)
    assert diplosim.ScenarioError.__module__ == "diplosim"


def _our_temp_dirs():
    return {p.name for p in Path(tempfile.gettempdir()).glob("diplosim-*")}


def test_ctrl_c_stops_a_long_ensemble_promptly_and_writes_nothing():
    before = _our_temp_dirs()
    timer = threading.Timer(0.5, lambda: os.kill(os.getpid(), signal.SIGINT))
    start = time.monotonic()
    timer.start()
    with pytest.raises(KeyboardInterrupt):
        # About a minute of work at full speed.
        diplosim.run("baseline", runs=1_500_000)
    elapsed = time.monotonic() - start
    timer.cancel()
    assert elapsed < 10, f"took {elapsed:.1f} s to stop"
    assert _our_temp_dirs() == before, "a partial folder was left"
    # The next call runs normally.
    assert diplosim.run("baseline", runs=5).summary["runs"] == 5


def test_the_interpreter_is_free_while_it_simulates():
    done = []
    t = threading.Thread(target=lambda: done.append(diplosim.run("baseline", runs=4000)))
    t.start()
    ticks = 0
    while t.is_alive():
        ticks += 1
        time.sleep(0.001)
    t.join()
    assert done and done[0].summary["runs"] == 4000
    assert ticks > 10, "the main thread was blocked while the ensemble ran"
