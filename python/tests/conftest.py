"""Shared helpers: the repository root, the CLI binary (the reference every result is compared with), and the
byte comparison of two output folders that tools/golden.sh uses (manifest.json and timing.csv left out, wall-time
and git lines of JSON files left out: they record the session, not the result)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def cli_bin() -> Path:
    """The sprintlab binary: $SPRINTLAB_BIN, else target/release/sprintlab (built by `cargo build --release`)."""
    p = Path(os.environ.get("SPRINTLAB_BIN", ROOT / "target" / "release" / "sprintlab"))
    assert p.is_file(), f"{p} is missing: run `cargo build --release` first (or set SPRINTLAB_BIN)"
    return p


def cli(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    """Runs the CLI from the repository root."""
    r = subprocess.run([str(cli_bin()), *args], cwd=ROOT, capture_output=True, text=True)
    if check:
        assert r.returncode == 0, f"sprintlab {' '.join(args)} failed:\n{r.stderr}"
    return r


def _comparable(path: Path) -> bytes:
    data = path.read_bytes()
    if path.suffix == ".json":
        keep = [
            line
            for line in data.splitlines(keepends=True)
            if not any(k in line for k in (b'"wall', b"_wall", b"wall_s", b'"git'))
        ]
        return b"".join(keep)
    if path.name == "best.toml":
        # The replay line names the folder itself (`--params OUT/best.toml`, as optimize was given OUT).
        return b"".join(l for l in data.splitlines(keepends=True) if not l.startswith(b"# Replay: "))
    return data


def folder_files(d: Path) -> dict[str, bytes]:
    """The comparable files of an output folder, by relative path."""
    return {
        str(p.relative_to(d)): _comparable(p)
        for p in sorted(d.rglob("*"))
        if p.is_file() and p.name not in ("manifest.json", "timing.csv")
    }


def assert_same_folder(a: Path, b: Path) -> None:
    fa, fb = folder_files(a), folder_files(b)
    assert sorted(fa) == sorted(fb), f"different files: {sorted(set(fa) ^ set(fb))}"
    differ = [n for n in fa if fa[n] != fb[n]]
    assert not differ, f"{a} and {b} differ in {differ}"


@pytest.fixture(autouse=True)
def in_repo(monkeypatch):
    """Every test runs from the repository root and names scenarios relative to it, as the CLI is used: the
    scenario path is written into the output files being compared."""
    monkeypatch.chdir(ROOT)


@pytest.fixture
def root() -> Path:
    return ROOT
