"""The package's bytecode, written before a build's jobs start (decisions 0191, 0197).

These machines set ``PYTHONDONTWRITEBYTECODE``: Python reads ``__pycache__`` but never writes it,
so without this every job compiled each module of ``analysis`` it imports from source again (~40-60
ms of CPU per job). The installed packages are compiled when the environment is made (`run.sh`,
``uv sync --compile-bytecode``); the package of this checkout is installed editable, so its
bytecode is written here. When some module has no bytecode or older bytecode than its source,
:func:`compile_in_background` starts the compiling in a process of its own as the workflow is
read (all of it the first time, ~0.15 s of CPU on the core the parse leaves idle); the workflow's
``onstart`` (:func:`finish_compiling`) waits for that process, if it is still running, and compiles
whatever is left, so the jobs find the bytecode as before. A no-op run starts no process.
"""

from __future__ import annotations

import atexit
import compileall
import importlib.util
import os
import py_compile
import struct
import subprocess
import sys
from pathlib import Path

# What the process of compile_in_background runs: this module's compile_package (imported from
# where this file is), without site packages (none needed) and the environment's PYTHON* variables.
_CHILD = (
    "import pathlib, sys; sys.path.insert(0, sys.argv[1]); "
    "from analysis.core.bytecode import compile_package; compile_package(pathlib.Path(sys.argv[2]))"
)
_HOME = str(Path(__file__).resolve().parents[2])  # the folder holding the analysis package


def compile_package(src: Path) -> bool:
    """Write the bytecode of every module under ``src`` whose source is newer than it; False when
    something could not be compiled or written (a read-only checkout: the jobs then compile in
    memory, as before; a syntax error: the job that imports the module reports it)."""
    try:
        return bool(
            compileall.compile_dir(
                str(src),
                quiet=2,
                workers=1,
                # stamped by modification time whatever SOURCE_DATE_EPOCH says, so that an
                # unchanged module is recognised and skipped by the next run (a hash-stamped file
                # would be written again every time)
                invalidation_mode=py_compile.PycInvalidationMode.TIMESTAMP,
            )
        )
    except OSError:
        return False


def stale(src: Path) -> bool:
    """Would :func:`compile_package` write anything: has a module below ``src`` no bytecode, or
    bytecode stamped for another version of its source? The stamp is what ``compileall`` checks:
    the first 12 bytes of the ``.pyc`` (magic number, flags 0 for a timestamp, the source's
    modification time in whole seconds), not the file's own time; one ``stat`` and a 12-byte read
    per module (~2 ms for the package). (Python's import also compares the source's size, and
    compiles in memory a module edited within the second its bytecode was written.)"""
    tag = sys.implementation.cache_tag
    for top, dirs, files in os.walk(src):
        dirs[:] = [d for d in dirs if d != "__pycache__"]
        for name in files:
            if name.endswith(".py"):
                expected = _timestamp_stamp(int(os.stat(os.path.join(top, name)).st_mtime))
                try:
                    with open(os.path.join(top, "__pycache__", f"{name[:-3]}.{tag}.pyc"), "rb") as fh:
                        if fh.read(12) != expected:
                            return True
                except OSError:
                    return True
    return False


def _timestamp_stamp(mtime: int) -> bytes:
    """The start of a timestamp-stamped ``.pyc`` as ``compileall`` compares it (PEP 552)."""
    return importlib.util.MAGIC_NUMBER + struct.pack("<II", 0, mtime & 0xFFFFFFFF)


def compile_in_background(src: Path) -> subprocess.Popen | None:
    """Start :func:`compile_package` on ``src`` in a process of its own, when a module's bytecode
    is missing or stale; the process is waited for at exit at the latest (nothing is left writing
    into the checkout). None when there is nothing to compile or no process could be started."""
    if sys.implementation.cache_tag is None or not stale(src):
        return None
    try:
        process = subprocess.Popen(
            [sys.executable, "-I", "-S", "-c", _CHILD, _HOME, str(src)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    except OSError:
        return None
    atexit.register(process.wait)
    return process


def finish_compiling(started: subprocess.Popen | None, src: Path) -> bool:
    """Before the first job: wait for the process of :func:`compile_in_background` (if one was
    started), then compile what is still missing (nothing, when that process did its work: ~2 ms
    to read the stamps). The result of :func:`compile_package`."""
    if started is not None:
        started.wait()
    return compile_package(src)
