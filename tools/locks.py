"""Stale Snakemake locks after a killed build.

A build killed with SIGKILL (or a power cut) cannot remove its lock, and the next run refuses to
start until `snakemake --unlock`. Outputs of the killed jobs are already safe: Snakemake marks
them incomplete and `rerun-incomplete` (profiles/default) rebuilds them. So a lock is only
removed here when no Snakemake process is working in that folder any more.

    python tools/locks.py [WORKDIR]     (run.sh calls this before every build)
"""

from __future__ import annotations

import os
import sys
from pathlib import Path


def snakemake_running_in(workdir: Path) -> bool:
    """True if any process other than this one runs snakemake with `workdir` as its cwd."""
    here = workdir.resolve()
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit() or int(proc.name) == os.getpid():
            continue
        try:
            if Path(os.readlink(proc / "cwd")).resolve() != here:
                continue
            cmdline = (proc / "cmdline").read_bytes()
        except OSError:
            continue
        if b"snakemake" in cmdline and b"tools/locks.py" not in cmdline:
            return True
    return False


def clear_stale_lock(workdir: str | Path = ".") -> bool:
    """Remove Snakemake's lock files if no Snakemake process uses `workdir`; True if removed."""
    workdir = Path(workdir)
    locks = workdir / ".snakemake" / "locks"
    files = [p for p in locks.glob("*") if p.is_file()] if locks.is_dir() else []
    if not files or snakemake_running_in(workdir):
        return False
    for p in files:
        p.unlink(missing_ok=True)
    return True


if __name__ == "__main__":
    target = sys.argv[1] if len(sys.argv) > 1 else "."
    if clear_stale_lock(target):
        print("removed a stale Snakemake lock left by a killed build", file=sys.stderr)
