"""Named runs (`--config run=NAME`) and checkouts whose path holds a space and non-ASCII letters.

One build: the session's demo build is copied (outputs, Snakemake metadata and mtimes) into a
folder named with a space and 'ø', with the interpreter reached through that path too (a
`.venv` link, as in a checkout), and the English variant is built there as a named run (the
suite's only English build: its PDF is checked for English text too). The
default build's files must stay byte for byte as they were, the run's outputs must have the
layout of reports/, and a no-op rerun of either must find nothing to do.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

RUN_DIRS = ("reports", "data/processed", "data/raw/demo", "logs", "benchmarks/runs")


def _snakemake(main: Path, *args: str) -> subprocess.CompletedProcess:
    proc = subprocess.run(
        [str(main / ".venv" / "bin" / "python"), "-m", "snakemake", "--cores", "2", *args],
        cwd=main,
        capture_output=True,
        text=True,
        timeout=900,
        env={**os.environ, "SOURCE_DATE_EPOCH": "1638316800"},
    )
    assert proc.returncode == 0, f"snakemake {' '.join(args)}:\n{proc.stdout[-3000:]}\n{proc.stderr[-5000:]}"
    return proc


def _default_layout(main: Path) -> dict[str, str]:
    """sha256 of every file the default run keeps under RUN_DIRS (named runs' folders excluded)."""
    out = {}
    for d in RUN_DIRS:
        for p in sorted((main / d).rglob("*")):
            rel = p.relative_to(main / d)
            if p.is_file() and rel.parts[0] != "runs":
                out[f"{d}/{rel.as_posix()}"] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


@pytest.fixture(scope="module")
def spaced_copy(demo_build, tmp_path_factory) -> Path:
    """The demo build, copied under a path with a space and 'ø', with its .venv linked in."""
    parent = tmp_path_factory.mktemp("runs") / "sti med mellomrom ø"
    main = parent / "main"
    shutil.copytree(demo_build, main, symlinks=True)
    (parent / "shared").symlink_to((demo_build.parent / "shared").resolve(), target_is_directory=True)
    (main / ".venv").symlink_to(Path(sys.prefix), target_is_directory=True)
    return main


def test_named_run_beside_the_default_build_in_a_path_with_a_space(spaced_copy):
    main = spaced_copy
    before = _default_layout(main)
    assert "reports/report.pdf" in before

    _snakemake(main, "--quiet", "--config", "run=en", "language=en")

    # the default build is untouched, the run has the same layout of outputs
    assert _default_layout(main) == before
    default_reports = {p.relative_to(main / "reports") for p in (main / "reports").rglob("*") if p.is_file()}
    default_reports = {p for p in default_reports if p.parts[0] != "runs"}
    run_root = main / "reports" / "runs" / "en"
    run_reports = {p.relative_to(run_root) for p in run_root.rglob("*") if p.is_file()}
    assert run_reports == default_reports
    for d in RUN_DIRS[1:]:
        assert any((main / d / "runs" / "en").rglob("*")), f"{d}/runs/en is empty"
    html = (run_root / "report.html").read_text(encoding="utf-8")
    assert "Agreed self-settlement" in html and "data/raw/demo/runs/en/register.csv" in html
    pdf = subprocess.run(
        ["pdftotext", "-layout", str(run_root / "report.pdf"), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "The scope of agreed self-settlement" in pdf and "Figure 11.3" in pdf
    assert "SYNTHETIC DATA" in pdf and "Omfanget av avtalt selvbosetting" not in pdf

    # both are up to date: a rerun of either has nothing to do
    for args in ((), ("--config", "run=en", "language=en")):
        proc = _snakemake(main, "-n", *args)
        assert "Nothing to be done" in proc.stdout + proc.stderr, args
