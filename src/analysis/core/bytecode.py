"""The package's bytecode, written before a build's jobs start (decision 0191).

These machines set ``PYTHONDONTWRITEBYTECODE``: Python reads ``__pycache__`` but never writes it,
so without this every job compiled each module of ``analysis`` it imports from source again (~40-60
ms of CPU per job). The installed packages are compiled when the environment is made (`run.sh`,
``uv sync --compile-bytecode``); the package of this checkout is installed editable, so its
bytecode is written here, by the workflow's ``onstart``: a run that executes jobs compiles what
changed (all of it the first time, ~0.15 s), a no-op run does nothing.
"""

from __future__ import annotations

import compileall
import py_compile
from pathlib import Path


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
