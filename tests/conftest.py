"""Shared fixtures: paths to the repository, the read-only shared data, and workflow copies."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = (ROOT.parent / "shared").resolve()
PUBLIC = SHARED / "data"
REFERENCE = SHARED / "reference"
SNAKEMAKE = [sys.executable, "-m", "snakemake"]

sys.path.insert(0, str(ROOT / "tools"))
from double_build import clean_copy  # noqa: E402  (one copy routine for tests and tools)


def copy_workflow(dest: Path) -> Path:
    """A copy of the checkout at dest/main with dest/shared pointing at the real shared folder.

    Snakemake locks its working directory and writes outputs beside the Snakefile, so each
    end-to-end test builds in its own copy; config paths like ../shared/data keep working.
    """
    return clean_copy(dest)


def run_snakemake(
    workdir: Path, *args: str, check: bool = True, timeout: int = 900, env: dict | None = None
) -> subprocess.CompletedProcess:
    full_env = {**os.environ, "SOURCE_DATE_EPOCH": "1638316800", **(env or {})}
    proc = subprocess.run(
        [*SNAKEMAKE, "--cores", "2", *args],
        cwd=workdir,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=full_env,
    )
    if check and proc.returncode != 0:
        raise AssertionError(
            f"snakemake {' '.join(args)} failed ({proc.returncode}):\n"
            f"{proc.stdout[-4000:]}\n{proc.stderr[-6000:]}"
        )
    return proc


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not PUBLIC.is_dir():
        pytest.skip(f"shared data folder not found at {PUBLIC}")
    return SHARED


@pytest.fixture(scope="session")
def demo_build(tmp_path_factory, shared_dir) -> Path:
    """One full demo build (to the PDF) shared by the end-to-end tests of a session."""
    main = copy_workflow(tmp_path_factory.mktemp("e2e"))
    run_snakemake(main)
    return main


def study_of(**config):
    """The study shape of a config (defaults from the schema), as the workflow builds it."""
    from analysis.core.config import validate_config
    from analysis.core.study import study_from_config

    cfg = {"demo": True, "inputs": {}, **config}
    return study_from_config(validate_config(cfg, ROOT / "workflow" / "schemas" / "config.schema.yaml"))
