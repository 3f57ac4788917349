"""Type stubs of the native module (PyO3). Units: SI (s, m, rad, rad/s, N, N·m); costs in the scenario's
objective units; `sigma` is CMA-ES's step size in z = (p − init)/std coordinates (dimensionless)."""

from typing import Callable, Final

__version__: Final[str]
STUDY_TABLES: Final[list[str]]

class SprintlabError(Exception):
    """A library error. `file`, `line`, `column` (1-based), `path` (dotted field path) and `msg` (the message
    without its location) are None where they do not apply."""

    file: str | None
    line: int | None
    column: int | None
    path: str | None
    msg: str | None

class ScenarioError(SprintlabError):
    """An invalid scenario, model file or `with_values` overlay: file, line, column and dotted path are set."""

    file: str
    line: int
    column: int
    path: str
    msg: str

class DataError(SprintlabError):
    """A malformed CSV or JSON table: file and line are set."""

    file: str
    line: int
    msg: str

class Interrupted(KeyboardInterrupt):
    """Ctrl-C stopped an optimisation after the generation in flight; its checkpoint is written in `dir`."""

    dir: str
    generation: int

class Column:
    """A read-only numeric column exported through the buffer protocol (`numpy.frombuffer(col, dtype=col.dtype)`
    views it without a copy)."""

    @property
    def dtype(self) -> str: ...
    def __len__(self) -> int: ...
    def __buffer__(self, flags: int, /) -> memoryview: ...

class Scenario:
    @property
    def path(self) -> str: ...
    @property
    def sha256(self) -> str: ...
    @property
    def source(self) -> str: ...
    @property
    def params(self) -> list[tuple[str, float, float, float, float]]:
        """Free parameters `(name, init, min, max, std)` in the parameter's own unit."""
    def resolved_toml(self) -> str: ...
    def with_values(self, values: dict[str, float]) -> Scenario: ...
    def simulate(self, out: str) -> str:
        """Writes the run folder at `out` (must not exist); returns it."""
    def sweep_plan(self, max_points: int = 10_000_000) -> tuple[list[str], list[Column]]: ...
    def optimize(
        self,
        out: str | None = None,
        *,
        max_evals: int | None = None,
        threads: int | None = None,
        seed: int | None = None,
        resume: bool = False,
        progress: Callable[[dict], object] | None = None,
    ) -> tuple[str, dict[str, float], Scenario]: ...

def load(path: str) -> Scenario: ...
def read_table(path: str, numeric: bool = False) -> tuple[list[str], list[Column | list[str]]]: ...
def figures(dir: str) -> None: ...
def plateau(sweep_dir: str) -> str: ...
def copy_run(src: str, dst: str) -> str: ...
