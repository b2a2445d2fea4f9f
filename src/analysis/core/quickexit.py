"""Ending a process whose work is done without Python's teardown of the interpreter (decision 0190).

When a Python process exits, the interpreter first runs the exit handlers (``atexit``: log files
closed, temporary directories removed, caches saved), then tears itself down: every module, every
object, freed one by one. The second part writes nothing and is all of the cost on this machine:
~0.1-0.2 s of CPU for a job that imported pandas and matplotlib, ~0.3-0.5 s for Snakemake's own
process, paid by every job of a build and by every Snakemake call, the no-op rerun included.

:func:`finish` does the first part as Python would and leaves the second out: it runs the exit
handlers (in their order, each once), collects the cyclic garbage when a regular file is still
open for writing (the finalizers of objects in reference cycles run, those kept out of reach by
``gc.freeze`` included; with no such file none of them has anything left to write, and the
collection, 0.03-0.07 s of every job and of every Snakemake call, is left out: decision 0193),
flushes the standard streams and ends the process with ``os._exit``. It does so only where
nothing else is still running: with another non-daemon thread alive, or a profiler or tracer
attached, it returns, and the caller exits as usual. What it gives up: a file object that nobody
closed and that a module's global still holds at exit would be flushed by the teardown and is
not here. The workflow writes every file in a ``with`` block or through a library's writer
(logging's handlers are closed by their exit handler); the byte comparisons of
two builds (``tools/double_build.py``, the tests of the demo build) would show a file cut short.

:func:`analysis.core.logsetup.run` calls it when a job's script has done its work (only in a
Snakemake job: :func:`is_snakemake_job_script`). :func:`exit_quickly_after_success` installs it
for the Snakemake command line: when Snakemake's ``main`` ends with ``sys.exit(0)`` (a run, a
no-op, a dry run that succeeded), the process ends through :func:`finish`; any other status, and
any other program, exits as before.
"""

from __future__ import annotations

import atexit
import gc
import os
import stat
import sys
import threading
from pathlib import Path


def others_running() -> bool:
    """Is a thread other than this one alive that Python would wait for at exit (non-daemon)?"""
    me = threading.current_thread()
    return me is not threading.main_thread() or any(
        t is not me and t.is_alive() and not t.daemon for t in threading.enumerate()
    )


def observed() -> bool:
    """Is a profiler or tracer attached (pyinstrument, cProfile, coverage, a debugger)? They write
    what they saw when the program has ended, which ``os._exit`` would not let them do."""
    return sys.getprofile() is not None or sys.gettrace() is not None


def writing_to_a_file(fd_dir: str = "/proc/self/fd", info_dir: str = "/proc/self/fdinfo") -> bool | None:
    """Does this process hold a regular file open for writing (besides standard input, output and
    error)? ``None`` where the system cannot tell (no ``/proc``, or a regular file whose flags it
    does not show). Only such a file can have bytes
    that the finalizer of a forgotten file object (or of a writer built on one: a zip archive, a
    database connection) would still write; with none open, no finalizer has anything to write."""
    try:
        fds = [int(name) for name in os.listdir(fd_dir)]
    except (OSError, ValueError):
        return None
    for fd in fds:
        if fd <= 2:
            continue
        try:
            if not stat.S_ISREG(os.stat(fd).st_mode):
                continue  # a pipe, socket, device or the directory listed above
        except OSError:
            continue  # closed meanwhile
        try:
            with open(os.path.join(info_dir, str(fd)), encoding="ascii") as fh:
                flags = next(int(line.split()[1], 8) for line in fh if line.startswith("flags:"))
        except (OSError, StopIteration, ValueError, IndexError):
            return None  # a regular file whose mode the system does not tell
        if flags & os.O_ACCMODE in (os.O_WRONLY, os.O_RDWR):
            return True
    return False


def finish(status: int = 0) -> None:
    """End the process with ``status`` after the exit handlers, without the interpreter's
    teardown; returns (doing nothing) when another non-daemon thread is still running or a
    profiler or tracer is attached."""
    if others_running() or observed():
        return
    atexit._run_exitfuncs()  # every handler once, last registered first; the list is then empty
    if writing_to_a_file() is not False:  # a finalizer may have bytes to flush
        gc.unfreeze()  # what gc.freeze kept out of reach (0135, 0198) is garbage-collected too
        gc.collect()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (AttributeError, OSError, ValueError):  # closed or replaced: nothing to flush
            pass
    os._exit(status)


def is_snakemake_cli(argv0: str) -> bool:
    """Is ``argv0`` (``sys.argv[0]``) Snakemake's command line: the ``snakemake`` script or
    ``python -m snakemake``?"""
    path = Path(argv0)
    return path.name == "snakemake" or (path.name == "__main__.py" and path.parent.name == "snakemake")


def is_snakemake_job_script(main_file: str | None) -> bool:
    """Is ``main_file`` the script Snakemake writes for a `script:` job
    (``.snakemake/scripts/tmpXXXX.<name>.py``)? The caller passes ``__real_file__`` of
    ``__main__``: Snakemake's preamble keeps that path there and sets ``__file__`` to the rule's
    own script. Not so when the same rule script is run by ``tools/run_rule.py`` or a test (no
    ``__real_file__``: ``None``), which must go on after it."""
    if not main_file:
        return False
    folder = Path(main_file).parent
    return folder.name == "scripts" and folder.parent.name == ".snakemake"


def exit_quickly_after_success(argv0: str | None = None) -> bool:
    """In Snakemake's command-line process, make ``sys.exit(0)`` end the process through
    :func:`finish`; returns whether it was installed (not in another program that runs a
    workflow, such as a test using Snakemake's API, and only once)."""
    argv0 = sys.argv[0] if argv0 is None else argv0
    if not is_snakemake_cli(argv0) or getattr(sys.exit, "finishes_quickly", False):
        return False
    original = sys.exit

    def exit(status=None):
        if status is None or status == 0:
            finish(0)
        original(status)

    exit.finishes_quickly = True
    sys.exit = exit
    return True
