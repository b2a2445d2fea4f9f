"""Build the demo twice from clean copies and compare every output's sha256.

    .venv/bin/python tools/double_build.py [--keep]

Prints one line per differing file and exits 1 if any output differs (or exists in only one
build). Used by tests/conftest.py and tests/test_interrupt.py (compare, digests) and by hand
before a release.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUTPUT_DIRS = ["reports", "data/processed", "data/raw/demo"]
_SKIP_TOP = {
    ".venv",
    ".tools",
    ".snakemake",
    ".git",
    "reports",
    "logs",
    ".pytest_cache",
    ".ruff_cache",
    "benchmarks/runs",
    "data/raw",
    "data/processed",
}


def _IGNORE(directory, names):
    """copytree filter: generated and environment folders of the checkout, and caches anywhere."""
    rel = Path(directory).resolve().relative_to(ROOT)
    skip = {n for n in names if n == "__pycache__"}
    skip |= {n for n in names if (rel / n).as_posix() in _SKIP_TOP}
    return skip


def copied_files() -> list[Path]:
    """The files clean_copy copies, relative to the checkout, sorted."""
    out = []
    for directory, dirs, names in os.walk(ROOT):
        skip = _IGNORE(directory, dirs + names)
        dirs[:] = sorted(d for d in dirs if d not in skip)
        rel = Path(directory).relative_to(ROOT)
        out += [rel / n for n in names if n not in skip and (Path(directory) / n).is_file()]
    return sorted(out)


def clean_copy(dest: Path) -> Path:
    main = dest / "main"
    shutil.copytree(ROOT, main, ignore=_IGNORE)
    for sub in ("reports", "data/raw", "data/processed"):
        (main / sub).mkdir(parents=True, exist_ok=True)
    (dest / "shared").symlink_to((ROOT.parent / "shared").resolve(), target_is_directory=True)
    return main


def build(main: Path) -> None:
    env = {**os.environ, "SOURCE_DATE_EPOCH": os.environ.get("SOURCE_DATE_EPOCH", "1638316800")}
    subprocess.run(
        [sys.executable, "-m", "snakemake", "--cores", "2", "--quiet", "all"], cwd=main, check=True, env=env
    )


def digests(main: Path) -> dict[str, str]:
    out = {}
    for d in OUTPUT_DIRS:
        for p in sorted((main / d).rglob("*")):
            if p.is_file():
                out[str(p.relative_to(main))] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


def compare(a: dict[str, str], b: dict[str, str]) -> list[str]:
    problems = []
    for name in sorted(set(a) | set(b)):
        if name not in a or name not in b:
            problems.append(f"only in one build: {name}")
        elif a[name] != b[name]:
            problems.append(f"differs: {name}")
    return problems


def main() -> int:
    tmp = Path(tempfile.mkdtemp(prefix="double-build-"))
    try:
        sums = []
        for k in (1, 2):
            main_dir = clean_copy(tmp / f"build{k}")
            build(main_dir)
            sums.append(digests(main_dir))
        problems = compare(*sums)
        print(f"{len(sums[0])} outputs compared; {len(problems)} differ")
        for p in problems:
            print(p)
        return 1 if problems else 0
    finally:
        if "--keep" not in sys.argv:
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            print(f"builds kept in {tmp}")


if __name__ == "__main__":
    sys.exit(main())
