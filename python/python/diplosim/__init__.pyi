"""Type stubs of diplosim's Python API (see the module docstring for an overview)."""

import os
from pathlib import Path
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Union

import pyarrow

PathLike = Union[str, os.PathLike[str]]

__version__: str

class DiplosimError(Exception):
    """A failure while running (and the base of the other diplosim errors)."""

class ScenarioError(DiplosimError):
    """Bad scenario input: where the (first) problem is, and every problem."""

    file: Optional[str]
    line: Optional[int]
    column: Optional[int]
    key: Optional[str]
    message: str
    diagnostics: List[Dict[str, Any]]

class UsageError(DiplosimError):
    """A bad argument: an unknown scenario, a value out of range, a missing folder."""

class Result:
    """The folder a command wrote, with its tables as Arrow tables."""

    kind: str
    path: Path
    def tables(self) -> List[str]: ...
    def table(self, name: str) -> pyarrow.Table: ...
    def __getitem__(self, name: str) -> pyarrow.Table: ...
    def __getattr__(self, name: str) -> pyarrow.Table: ...
    @property
    def summary(self) -> Dict[str, Any]: ...
    @property
    def manifest(self) -> Dict[str, Any]: ...
    def to_pandas(self, table: Optional[str] = None) -> Any: ...
    def to_polars(self, table: Optional[str] = None) -> Any: ...
    def save(self, dest: PathLike, force: bool = False) -> Path: ...

def scenarios(scenarios: Optional[PathLike] = None) -> List[Dict[str, str]]: ...
def show(
    name: PathLike, set: Optional[Mapping[str, Any]] = None, scenarios: Optional[PathLike] = None
) -> str: ...
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
) -> Result: ...
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
) -> Result: ...
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
) -> Result: ...
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
) -> Result: ...
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
) -> Result: ...
