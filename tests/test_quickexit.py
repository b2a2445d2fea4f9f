"""analysis.core.quickexit: a finished process ends after its exit handlers, without the
interpreter's teardown (decision 0190). Each case runs in a process of its own."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import types

import pytest
from conftest import ROOT

from analysis.core.quickexit import is_snakemake_cli, is_snakemake_job_script, writing_to_a_file
from analysis.core.snakemake_compat import job_script_path

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


def test_finish_runs_the_handlers_and_skips_the_teardown_and_a_collection_with_nothing_to_write():
    assert _run("quickexit.finish(3)") == (3, ["handler"])


def test_finish_collects_cycles_while_a_file_is_open_for_writing(tmp_path):
    body = f"""
    forgotten = open({str(tmp_path / "out.txt")!r}, "w")  # a finalizer could still write to it
    quickexit.finish(3)
    """
    assert _run(body) == (3, ["handler", "collected"])


def test_a_file_open_for_reading_or_closed_is_nothing_to_write(tmp_path):
    path = tmp_path / "f.txt"
    path.write_text("x")
    body = f"""
    path = {str(path)!r}
    seen = [quickexit.writing_to_a_file()]
    with open(path) as fh:
        seen.append(quickexit.writing_to_a_file())
    for mode in ("w", "a", "r+", "wb"):
        with open(path, mode):
            seen.append(quickexit.writing_to_a_file())
    seen.append(quickexit.writing_to_a_file())
    sys.stderr.write(" ".join(map(str, seen)) + "\\n")
    quickexit.finish(0)
    """
    code, said = _run(body)
    assert code == 0 and said == ["False", "False", "True", "True", "True", "True", "False", "handler"]


def test_without_proc_the_answer_is_unknown_and_the_garbage_is_collected(tmp_path):
    assert writing_to_a_file(str(tmp_path / "no-such-dir")) is None
    path = tmp_path / "f.txt"
    path.write_text("x")
    with open(path):  # a regular file whose flags the system does not show: unknown, not "no"
        assert writing_to_a_file(info_dir=str(tmp_path / "no-fdinfo")) is None


def test_finish_collects_frozen_cycles_too_while_a_file_is_open_for_writing(tmp_path):
    body = f"""
    frozen = Says("frozen")  # cyclic garbage that gc.freeze (decisions 0135, 0198) put out of reach
    frozen.me = frozen
    del frozen
    gc.freeze()
    forgotten = open({str(tmp_path / "out.txt")!r}, "w")
    quickexit.finish(3)
    """
    code, said = _run(body)
    assert code == 3 and said[0] == "handler" and sorted(said[1:]) == ["collected", "frozen"]


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
    assert said[0] == "handler"
    # ended by finish: no file open for writing, so no collection; else Python's own exit
    assert (code, "teardown" in said, "collected" in said) == (*expected, expected[1])


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


_JOB_SCRIPT = """
with open(snakemake.output[0], "w") as fh:  # noqa: F821
    fh.write(f"{__file__}\\n{__real_file__}")  # noqa: F821
"""


def test_snakemakes_preamble_keeps_the_written_script_in_real_file(tmp_path):
    """The pinned Snakemake runs a `script:` job from a copy under .snakemake/scripts/, names that
    copy ``__real_file__`` and sets ``__file__`` to the rule's script: logsetup.run looks at the
    first (a job) and tools/run_rule.py, which runs the rule's script itself, has neither."""
    (tmp_path / "job.py").write_text(_JOB_SCRIPT, encoding="utf-8")
    (tmp_path / "Snakefile").write_text(
        'rule a:\n    output: "out.txt"\n    script: "job.py"\n', encoding="utf-8"
    )
    done = subprocess.run(
        [sys.executable, "-m", "snakemake", "--cores", "1", "--quiet"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    file, real_file = (tmp_path / "out.txt").read_text().split("\n")
    assert file == str(tmp_path / "job.py")
    assert is_snakemake_job_script(real_file) and not is_snakemake_job_script(file)
    assert job_script_path(types.SimpleNamespace(__real_file__=real_file)) == real_file
    assert job_script_path(types.SimpleNamespace(__file__=file)) is None


@pytest.mark.parametrize(
    ("real_file", "ends_in_run"), [("/w/.snakemake/scripts/tmpab12cd.x.py", True), (None, False)]
)
def test_run_ends_a_job_through_finish_and_leaves_other_callers_alone(tmp_path, real_file, ends_in_run):
    body = f"""
    import types
    from analysis.core.logsetup import run
    if {real_file!r}:
        sys.modules["__main__"].__real_file__ = {real_file!r}
    job = types.SimpleNamespace(log=[{str(tmp_path / "job.log")!r}])
    run(lambda smk: sys.stderr.write("worked\\n"), job)
    sys.stderr.write("went-on\\n")
    """
    code, said = _run(body)
    assert code == 0 and said[0] == "worked"
    # a job: run does not return (the exit handler runs, then the process ends); otherwise it does
    assert said[1:3] == (["handler"] if ends_in_run else ["went-on", "handler"])
