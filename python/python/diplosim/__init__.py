"""diplosim from Python: how states react, week by week, to a diplomatic event.

Every function runs diplosim's library in this process (not its binary), with the interpreter
released while it simulates, and returns a :class:`Result` whose tables are Arrow tables::

    import diplosim
    r = diplosim.run("baseline", runs=1000)
    r.summary["office"]["p_opened"]  # the headline numbers (summary.json; an ensemble's)
    r.ensemble.to_pandas()           # a pyarrow.Table; also r.to_pandas("ensemble")
    r.save("out/baseline")           # the folder the command line writes

Ctrl-C stops a long call promptly with ``KeyboardInterrupt`` and writes nothing. A bad scenario
raises :class:`ScenarioError` with the file, line, column and key of the problem; a bad argument
raises :class:`UsageError` (or ``TypeError`` for a value of the wrong type). The same inputs give
the same numbers as the command line, byte for byte.

Named scenarios are looked up in ``scenarios`` (a folder), else ``$DIPLOSIM_SCENARIOS``, else
``./scenarios``; backtest cases in ``cases_dir``, else ``$DIPLOSIM_CASES``, else ``./cases``.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Union

from ._diplosim import DiplosimError, ScenarioError, UsageError, __version__
from . import _diplosim

for _e in (DiplosimError, ScenarioError, UsageError):
    _e.__module__ = "diplosim"
del _e

__all__ = [
    "Result",
    "DiplosimError",
    "ScenarioError",
    "UsageError",
    "scenarios",
    "show",
    "run",
    "compare",
    "sweep",
    "calibrate",
    "backtest",
    "__version__",
]

PathLike = Union[str, "os.PathLike[str]"]


def _scenarios_dir(scenarios: Optional[PathLike]) -> str:
    if scenarios is not None:
        return os.fspath(scenarios)
    return os.environ.get("DIPLOSIM_SCENARIOS") or "scenarios"


def _named(name: str, scenarios: Optional[PathLike]) -> None:
    """A scenario name (not a path) needs the scenarios folder: say so in Python's terms."""
    d = _scenarios_dir(scenarios)
    if not name.endswith(".toml") and os.sep not in name and not os.path.isdir(d):
        raise UsageError(
            f"no scenarios folder at {os.path.abspath(d)} to find `{name}` in: pass "
            "scenarios=DIR (the repository's scenarios/), set DIPLOSIM_SCENARIOS, or give a path to a .toml file"
        )


def _items(name: str, value: Any) -> List[str]:
    """A str is one item; otherwise an iterable of str."""
    if value is None:
        return []
    if isinstance(value, (str, os.PathLike)):
        return [_str(name, value)]
    try:
        return [_str(name, v) for v in value]
    except TypeError as e:
        raise TypeError(f"{name} must be a str or a list of str: {e}") from None


def _folder(name: str, value: PathLike) -> str:
    p = _str(name, value)
    if not os.path.isdir(p):
        raise UsageError(f"{name}={p!r}: no such folder (give the folder `diplosim.calibrate` wrote: result.path)")
    return p


def _int(name: str, value: Any, lo: int = 0) -> str:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, not {type(value).__name__}")
    if value < lo:
        raise ValueError(f"{name} must be at least {lo}, not {value}")
    return str(value)


def _str(name: str, value: Any) -> str:
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, not {type(value).__name__}")
    return value


def _sets(set: Optional[Mapping[str, Any]]) -> List[str]:
    """``{"model.noise": 0.1}`` as ``--set`` words; values as TOML writes them."""
    if set is None:
        return []
    if not isinstance(set, Mapping):
        raise TypeError(f"set must be a dict of key -> value, not {type(set).__name__}")
    out = []
    for key, value in set.items():
        if not isinstance(key, str):
            raise TypeError(f"set: keys must be str, not {type(key).__name__}")
        out.append(f"{key}={_toml_value(key, value)}")
    return out


def _toml_value(key: str, value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml_value(key, v) for v in value) + "]"
    raise TypeError(f"set: {key}: a {type(value).__name__} is not a scenario value")


class Result:
    """The folder a command wrote, with its tables as Arrow tables.

    Tables (read on first use from the folder's Parquet files): ``timeseries`` and ``events``
    (a single run), ``ensemble``, ``event_counts`` and ``events`` (an ensemble), ``comparison``,
    ``differences`` and ``peaks`` (compare), ``sweep``, ``points`` and ``sensitivity`` (sweep),
    ``posterior`` (calibrate), ``backtest`` (backtest). ``summary`` and ``manifest`` are the
    folder's JSON files as dicts. The folder lives in a temporary directory until the Result is
    garbage-collected: :meth:`save` keeps it.
    """

    def __init__(self, kind: str, folder: Path, holder: Any) -> None:
        self.kind = kind
        self.path = folder
        self._holder = holder  # keeps the temporary directory alive
        self._tables: Dict[str, Any] = {}

    def __repr__(self) -> str:
        return f"<diplosim.Result {self.kind}: {', '.join(self.tables())}>"

    def tables(self) -> List[str]:
        """Names of the tables in the folder."""
        return sorted(p.stem for p in self.path.glob("*.parquet"))

    def table(self, name: str):
        """Table ``name`` as a ``pyarrow.Table``."""
        if name not in self._tables:
            f = self.path / f"{name}.parquet"
            if not f.exists():
                raise KeyError(f"no table {name!r} in this result; it has {self.tables()}")
            import pyarrow.parquet as pq

            self._tables[name] = pq.read_table(f)
        return self._tables[name]

    def __getattr__(self, name: str):
        if name.startswith("_"):
            raise AttributeError(name)
        if (self.path / f"{name}.parquet").exists():
            return self.table(name)
        raise AttributeError(f"{name!r}: this result's tables are {self.tables()}")

    def __getitem__(self, name: str):
        return self.table(name)

    @property
    def summary(self) -> Dict[str, Any]:
        """``summary.json`` (run, calibrate, backtest; a compare or sweep result has none)."""
        f = self.path / "summary.json"
        if not f.exists():
            raise DiplosimError(f"a {self.kind} result has no summary; its tables are {self.tables()}")
        return json.loads(f.read_text(encoding="utf-8"))

    @property
    def manifest(self) -> Dict[str, Any]:
        """``manifest.json``: version, scenario hash, seed, runs and the command that remakes it."""
        return json.loads((self.path / "manifest.json").read_text(encoding="utf-8"))

    def _main(self) -> str:
        for name in ("ensemble", "timeseries", "comparison", "sweep", "posterior", "backtest"):
            if (self.path / f"{name}.parquet").exists():
                return name
        raise KeyError(f"this result has no main table; it has {self.tables()}")

    def to_pandas(self, table: Optional[str] = None):
        """Table ``table`` (default: the main one) as a pandas DataFrame (needs pandas)."""
        return self.table(table or self._main()).to_pandas()

    def to_polars(self, table: Optional[str] = None):
        """Table ``table`` (default: the main one) as a polars DataFrame (needs polars)."""
        import polars as pl

        return pl.from_arrow(self.table(table or self._main()))

    def save(self, dest: PathLike, force: bool = False) -> Path:
        """Copy the folder to ``dest`` (refused if it exists and is not empty, unless ``force``)."""
        dest = Path(dest)
        if dest.exists() and any(dest.iterdir()):
            if not force:
                raise FileExistsError(f"{dest} exists and is not empty: give force=True to replace it")
            shutil.rmtree(dest)
        elif dest.exists():
            dest.rmdir()
        shutil.copytree(self.path, dest)
        return dest


def _command(
    kind: str,
    words: List[str],
    scenarios: Optional[PathLike],
    fmt: str,
    threads: Optional[int],
    charts: bool,
) -> Result:
    """Run `diplosim WORDS... --threads --no-charts --format --quiet --out TMP` in this process."""
    if fmt not in ("parquet", "both"):
        raise ValueError(f"format must be 'parquet' or 'both', not {fmt!r}")
    words = list(words)
    if threads is not None:
        words += ["--threads", _int("threads", threads, 1)]
    if not charts:
        words.append("--no-charts")
    holder = tempfile.TemporaryDirectory(prefix="diplosim-")
    out = Path(holder.name) / "out"
    args = ["--scenarios", _scenarios_dir(scenarios)] + words
    args += ["--format", fmt, "--quiet", "--out", str(out)]
    try:
        _diplosim.command(args)
    except BaseException:
        holder.cleanup()
        raise
    return Result(kind, out, holder)


def scenarios(scenarios: Optional[PathLike] = None) -> List[Dict[str, str]]:
    """The named scenarios: ``[{"name": ..., "title": ...}, ...]`` in name order."""
    d = _scenarios_dir(scenarios)
    if not os.path.isdir(d):
        raise UsageError(
            f"no scenarios folder at {os.path.abspath(d)}: pass scenarios=DIR (the repository's "
            "scenarios/) or set DIPLOSIM_SCENARIOS"
        )
    return [{"name": n, "title": t} for n, t in _diplosim.scenarios(d)]


def show(
    name: PathLike, set: Optional[Mapping[str, Any]] = None, scenarios: Optional[PathLike] = None
) -> str:
    """Scenario ``name`` (a name or a path) with overrides ``set``, resolved: the TOML text with
    every key explicit and every number's source (``tomllib.loads`` makes it a dict)."""
    _named(_str("name", name), scenarios)
    return _diplosim.resolved(_str("name", name), _sets(set), _scenarios_dir(scenarios))


def run(
    name_or_path: PathLike,
    runs: int = 1,
    seed: Optional[int] = None,
    steps: Optional[int] = None,
    set: Optional[Mapping[str, Any]] = None,
    threads: Optional[int] = None,
    posterior: Optional[PathLike] = None,
    events: Optional[str] = None,
    charts: bool = False,
    scenarios: Optional[PathLike] = None,
    format: str = "both",
) -> Result:
    """Run a scenario once (``runs=1``: tables ``timeseries`` and ``events``) or as an ensemble
    (``runs`` > 1: ``ensemble``, ``event_counts``, ``events``), as ``diplosim run`` does.

    - ``name_or_path``: a named scenario (``diplosim.scenarios()``) or a path to a ``.toml`` file.
    - ``seed``: run r is seeded by (seed, r); default the scenario's.
    - ``steps``: weeks to simulate (default the scenario's).
    - ``set``: overrides, key to value (``{"model.noise": 0.1, "actor.china.stance": -0.5}``).
    - ``threads``: worker threads (default all cores); results do not depend on it.
    - ``posterior``: a ``calibrate`` result's folder (``result.path``); each run draws its
      uncertain parameters from its posterior (needs ``runs`` ≥ 2).
    - ``events``: ``"first"`` (run 0's events) or ``"all"`` in ``events``.
    - ``charts``: draw the PNG/SVG charts into the folder too.
    - ``scenarios``: the folder of named scenarios (default ``$DIPLOSIM_SCENARIOS`` or ``./scenarios``).
    - ``format``: ``"both"`` (CSV and Parquet in the folder) or ``"parquet"``.

    ``summary`` is ``summary.json``: for an ensemble ``summary["office"]["p_opened"]`` and more;
    for a single run the office's fate (``summary["office"]["status"]``).
    """
    _named(_str("name_or_path", name_or_path), scenarios)
    w = ["run", _str("name_or_path", name_or_path), "--runs", _int("runs", runs, 1)]
    if seed is not None:
        w += ["--seed", _int("seed", seed)]
    if steps is not None:
        w += ["--steps", _int("steps", steps, 1)]
    for s in _sets(set):
        w += ["--set", s]
    if posterior is not None:
        w += ["--posterior", _folder("posterior", posterior)]
    if events is not None:
        w += ["--events", _str("events", events)]
    return _command("run", w, scenarios, format, threads, charts)


def compare(
    *names: PathLike,
    runs: int = 200,
    seed: Optional[int] = None,
    steps: Optional[int] = None,
    metric: Optional[str] = None,
    window: Optional[Sequence[int]] = None,
    matters: Optional[Mapping[str, float]] = None,
    posterior: Optional[PathLike] = None,
    threads: Optional[int] = None,
    charts: bool = False,
    scenarios: Optional[PathLike] = None,
    format: str = "both",
) -> Result:
    """Compare scenarios (the first is the reference) with paired ensembles, as ``diplosim
    compare`` does: tables ``comparison``, ``differences`` and ``peaks``.

    ``window=(16, 30)`` compares stances averaged over those weeks; ``matters={"stance": 0.1}``
    sets the smallest difference that matters, per kind.
    """
    if len(names) == 1 and isinstance(names[0], (list, tuple)):
        names = tuple(names[0])
    if len(names) < 2:
        raise ValueError("compare needs at least two scenarios: compare(\"baseline\", \"ally_objects\")")
    for n in names:
        _named(_str("scenario", n), scenarios)
    w = ["compare"] + [_str("scenario", n) for n in names] + ["--runs", _int("runs", runs, 1)]
    if seed is not None:
        w += ["--seed", _int("seed", seed)]
    if steps is not None:
        w += ["--steps", _int("steps", steps, 1)]
    if metric is not None:
        w += ["--metric", _str("metric", metric)]
    if window is not None:
        if isinstance(window, str) or len(window) != 2:
            raise TypeError(f"window must be two weeks, (from, to), not {window!r}")
        a, b = window
        w += ["--window", f"{_int('window', a)}:{_int('window', b)}"]
    for k, v in (matters or {}).items():
        w += ["--matters", f"{_str('matters', k)}={v!r}"]
    if posterior is not None:
        w += ["--posterior", _folder("posterior", posterior)]
    return _command("compare", w, scenarios, format, threads, charts)


def sweep(
    name: PathLike,
    vary: Optional[Iterable[str]] = None,
    method: Optional[str] = None,
    samples: Optional[int] = None,
    params: Optional[Iterable[str]] = None,
    runs: Optional[int] = None,
    seed: Optional[int] = None,
    steps: Optional[int] = None,
    set: Optional[Mapping[str, Any]] = None,
    threads: Optional[int] = None,
    charts: bool = False,
    scenarios: Optional[PathLike] = None,
    format: str = "both",
) -> Result:
    """A parameter sweep, as ``diplosim sweep`` does: a grid (``vary=["model.noise=0:0.2:3"]``,
    table ``sweep``) or a sensitivity analysis (``method="morris"`` or ``"sobol"``, tables
    ``points`` and ``sensitivity``)."""
    _named(_str("name", name), scenarios)
    w = ["sweep", _str("name", name)]
    for v in _items("vary", vary):
        w += ["--vary", v]
    if method is not None:
        w += ["--method", _str("method", method)]
    if samples is not None:
        w += ["--samples", _int("samples", samples, 1)]
    for p in _items("params", params):
        w += ["--param", p]
    if runs is not None:
        w += ["--runs", _int("runs", runs, 1)]
    if seed is not None:
        w += ["--seed", _int("seed", seed)]
    if steps is not None:
        w += ["--steps", _int("steps", steps, 1)]
    for s in _sets(set):
        w += ["--set", s]
    return _command("sweep", w, scenarios, format, threads, charts)


def calibrate(
    name: PathLike,
    samples: Optional[int] = None,
    runs: Optional[int] = None,
    rounds: Optional[int] = None,
    seed: Optional[int] = None,
    threads: Optional[int] = None,
    charts: bool = False,
    scenarios: Optional[PathLike] = None,
    format: str = "both",
) -> Result:
    """The posterior of a scenario's ``[sensitivity.ranges]`` given its ``[[observation]]``s, as
    ``diplosim calibrate`` does: table ``posterior``; ``result.path`` is a folder that
    ``run(..., posterior=result.path)`` draws from."""
    _named(_str("name", name), scenarios)
    w = ["calibrate", _str("name", name)]
    for flag, v, lo in (("--samples", samples, 1), ("--runs", runs, 1), ("--rounds", rounds, 0)):
        if v is not None:
            w += [flag, _int(flag[2:], v, lo)]
    if seed is not None:
        w += ["--seed", _int("seed", seed)]
    return _command("calibrate", w, scenarios, format, threads, charts)


def backtest(
    cases: Optional[Iterable[str]] = None,
    cases_dir: Optional[PathLike] = None,
    runs: Optional[int] = None,
    seed: Optional[int] = None,
    loo: bool = False,
    samples: Optional[int] = None,
    point_runs: Optional[int] = None,
    posterior: Optional[PathLike] = None,
    threads: Optional[int] = None,
    charts: bool = False,
    scenarios: Optional[PathLike] = None,
    format: str = "both",
) -> Result:
    """Score the model's forecasts of historical cases against what happened, as ``diplosim
    backtest`` does: table ``backtest`` (one row a question), ``summary`` the scores.

    ``cases``: case names (a str or a list; default every case in ``cases_dir``); ``loo``: leave
    one case out, forecasting each with the shared ``[model]`` parameters calibrated on the others
    (``samples`` prior points × ``point_runs`` runs); ``posterior``: a ``calibrate`` folder over
    ``model.*`` keys only, whose posterior every case draws from."""
    w = ["backtest"] + _items("cases", cases)
    if cases_dir is not None:
        w += ["--cases", _str("cases_dir", cases_dir)]
    elif os.environ.get("DIPLOSIM_CASES"):
        w += ["--cases", os.environ["DIPLOSIM_CASES"]]
    if runs is not None:
        w += ["--runs", _int("runs", runs, 1)]
    if seed is not None:
        w += ["--seed", _int("seed", seed)]
    if loo:
        w.append("--loo")
    if samples is not None:
        w += ["--samples", _int("samples", samples, 1)]
    if point_runs is not None:
        w += ["--point-runs", _int("point_runs", point_runs, 1)]
    if posterior is not None:
        w += ["--posterior", _folder("posterior", posterior)]
    return _command("backtest", w, scenarios, format, threads, charts)
