"""analysis.core.quickexit: a finished process ends after its exit handlers, without the
interpreter's teardown (decision 0190). Each case runs in a process of its own."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest
from conftest import ROOT

from analysis.core.quickexit import is_snakemake_cli, is_snakemake_job_script

PROGRAM = """
import atexit, gc, sys, threading
from analysis.core import quickexit

gc.disable()  # cyclic garbage is found by the collection at exit alone

class Says:
    def __init__(self, word):
        self.word = word
    def __del__(self):
        sys.stderr.write(self.word + "\\n")

KEEP = Says("teardown")  # a module's global: deleted only by the interpreter's teardown
cycle = Says("collected")  # garbage in a reference cycle: deleted by a collection
cycle.me = cycle
del cycle
atexit.register(lambda: sys.stderr.write("handler\\n"))
"""


def _run(body: str, argv0: str = "-c") -> tuple[int, list[str]]:
    code = textwrap.dedent(PROGRAM) + textwrap.dedent(body)
    done = subprocess.run(
        [sys.executable, "-c", f"import sys; sys.argv[0] = {argv0!r}\n" + code],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    return done.returncode, done.stderr.split()


def test_finish_runs_the_handlers_collects_cycles_and_skips_the_teardown():
    assert _run("quickexit.finish(3)") == (3, ["handler", "collected"])


def test_an_ordinary_exit_tears_down_as_before():
    code, said = _run("sys.exit(0)")
    assert code == 0 and said[0] == "handler" and sorted(said[1:]) == ["collected", "teardown"]


def test_finish_leaves_the_exit_to_python_while_another_thread_runs():
    body = """
    stop = threading.Event()
    worker = threading.Thread(target=stop.wait)
    worker.start()
    assert quickexit.others_running()
    quickexit.finish(0)  # returns: the worker would be cut off
    sys.stderr.write("returned\\n")
    stop.set()
    """
    code, said = _run(body)
    assert code == 0 and said[:2] == ["returned", "handler"] and "teardown" in said


def test_finish_leaves_the_exit_to_python_under_a_profiler():
    body = """
    sys.setprofile(lambda *args: None)  # as cProfile and pyinstrument do: they report at the end
    assert quickexit.observed()
    quickexit.finish(0)
    sys.setprofile(None)
    sys.stderr.write("returned\\n")
    """
    code, said = _run(body)
    assert code == 0 and said[:2] == ["returned", "handler"] and "teardown" in said


@pytest.mark.parametrize(
    ("status", "expected"),
    [("0", (0, False)), ("None", (0, False)), ("1", (1, True))],
)
def test_snakemake_command_line_ends_quickly_only_after_success(status, expected):
    body = f"""
    assert quickexit.exit_quickly_after_success()
    assert not quickexit.exit_quickly_after_success()  # once
    sys.exit({status})
    """
    code, said = _run(body, argv0="/x/.venv/bin/snakemake")
    assert said[0] == "handler" and "collected" in said
    assert (code, "teardown" in said) == expected


def test_other_programs_are_left_alone():
    body = """
    assert not quickexit.exit_quickly_after_success()  # e.g. pytest running a workflow by the API
    sys.exit(0)
    """
    code, said = _run(body, argv0="/x/.venv/bin/pytest")
    assert code == 0 and said[0] == "handler" and "teardown" in said


def test_which_processes_count_as_snakemake():
    assert is_snakemake_cli("/w/.venv/bin/snakemake")
    assert is_snakemake_cli("/w/.venv/lib/python3.11/site-packages/snakemake/__main__.py")
    assert not is_snakemake_cli("/w/.venv/bin/pytest")
    assert not is_snakemake_cli("/w/tools/__main__.py")
    assert is_snakemake_job_script("/w/.snakemake/scripts/tmpab12cd.scope.py")
    assert not is_snakemake_job_script("/w/workflow/scripts/scope.py")  # tools/run_rule.py, tests
    assert not is_snakemake_job_script(None)
