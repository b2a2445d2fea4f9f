"""analysis.core.snakemake_compat: each use of Snakemake's private API, checked against the pinned
Snakemake. A failure here after an upgrade means: read docs/decisions/0151, then adapt or remove."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import snakemake
import snakemake.api  # noqa: F401  (loads Snakemake's modules in the order the CLI does)
from conftest import ROOT

from analysis.core import snakemake_compat as compat


def test_the_pinned_snakemake_is_installed_and_named_in_the_lock():
    assert snakemake.__version__ == compat.PINNED
    lock = (ROOT / "uv.lock").read_text(encoding="utf-8")
    assert re.search(rf'name = "snakemake"\nversion = "{re.escape(compat.PINNED)}"', lock)


def test_only_the_compat_module_touches_snakemake_internals():
    """The private names the module uses appear nowhere else in the workflow."""
    private = re.compile(r"\b(_execute_cmd|path_modifier|PathModifier|iocontainers|_localrules)\b|\._file\b")
    files = [*(ROOT / "workflow" / "rules").glob("*.smk"), ROOT / "Snakefile", *(ROOT / "src").rglob("*.py")]
    users = sorted(
        f"{p.relative_to(ROOT)}: {m.group(0)}"
        for p in files
        if p.name != "snakemake_compat.py"
        for m in private.finditer(p.read_text(encoding="utf-8"))
    )
    assert users == []


# --- quote_script_interpreter ---------------------------------------------------------------


def _python_script_command(py_exec: str) -> tuple[str, dict]:
    """The command template and arguments the pinned PythonScript.execute_script hands to
    _execute_cmd (captured on one instance, nothing run)."""
    from snakemake.script import PythonScript

    job = PythonScript.__new__(PythonScript)
    job.container_img = job.conda_env = job.env_modules = None
    seen = {}
    job._execute_cmd = lambda cmd, **kw: seen.update(cmd=cmd, kwargs=kw)
    import sys

    real = sys.executable
    try:
        sys.executable = py_exec
        PythonScript.execute_script(job, "/tmp/s p/script.py")
    finally:
        sys.executable = real
    return seen["cmd"], seen["kwargs"]


def test_the_pinned_snakemake_still_leaves_the_interpreter_unquoted():
    """The bug the patch works around (snakemake/snakemake#2645). When this fails, Snakemake quotes
    the interpreter itself: delete quote_script_interpreter and its call in common.smk."""
    from snakemake.utils import format as smk_format

    cmd, kwargs = _python_script_command("/home/ola/Mine dokumenter/.venv/bin/python")
    assert cmd == "{py_exec} {fname:q}"
    assert smk_format(cmd, **kwargs).startswith("/home/ola/Mine dokumenter/.venv/bin/python '")


def test_the_interpreter_is_quoted_once_and_a_quoting_snakemake_is_left_alone():
    from snakemake.utils import format as smk_format

    class Script:
        def _execute_cmd(self, cmd, **kwargs):
            return smk_format(cmd, **kwargs)

    compat.quote_script_interpreter(Script)
    compat.quote_script_interpreter(Script)  # installed once, not wrapped twice
    py = "/home/ola/Mine dokumenter/python"
    assert (
        Script()._execute_cmd("{py_exec} {fname:q}", py_exec=py, fname="a b.py")
        == f"{shlex.quote(py)} 'a b.py'"
    )
    assert (
        Script()._execute_cmd("{py_exec:q} {fname:q}", py_exec=py, fname="a.py") == f"{shlex.quote(py)} a.py"
    )
    assert Script()._execute_cmd("Rscript --vanilla {fname:q}", fname="a.R") == "Rscript --vanilla a.R"


def test_the_workflow_installs_the_quoting_on_snakemakes_class():
    from snakemake.script import PythonScript

    text = (ROOT / "workflow" / "rules" / "common.smk").read_text(encoding="utf-8")
    assert "\nsnakemake_compat.quote_script_interpreter()\n" in text
    compat.quote_script_interpreter()
    assert PythonScript._execute_cmd.quotes_interpreter


# --- install_run_paths ----------------------------------------------------------------------


class _Workflow:
    """What Snakemake's PathModifier reads of the workflow: the default storage (none here)."""

    class storage_settings:
        default_storage_provider = None

    class modifier:
        path_modifier = None


def _run(path):
    return f"reports/runs/x/{path[len('reports/') :]}" if path.startswith("reports/") else path


def test_the_run_path_modifier_maps_paths_the_way_the_pinned_snakemake_applies_it():
    """Snakemake calls modify(path, property) on every input, output, log and benchmark path of a
    rule as the rule is defined; flags (temp, report) must survive and a path is mapped once."""
    from snakemake.io import flag, get_flag_value, is_flagged
    from snakemake.path_modifier import PATH_MODIFIER_FLAG

    wf = _Workflow()
    compat.install_run_paths(wf, _run)
    mod = wf.modifier.path_modifier
    out = mod.modify(flag("reports/tables/a.csv", "temp"), "output")
    assert out == "reports/runs/x/tables/a.csv" and is_flagged(out, "temp")
    assert get_flag_value(out, PATH_MODIFIER_FLAG)
    assert mod.modify(out, "input") == out  # already mapped: not mapped again
    assert mod.modify("../shared/data/x.csv", "input") == "../shared/data/x.csv"

    def fn(wildcards):
        return "reports/x"

    assert mod.modify(fn, "input") is fn  # input functions are mapped by what they return


def test_rules_take_their_path_modifier_from_the_workflow_modifier():
    """The pinned Snakemake hands workflow.modifier.path_modifier to each rule it defines."""
    import inspect

    from snakemake.workflow import Workflow

    source = inspect.getsource(Workflow)
    assert "def modifier(self)" in source and "self.modifier_stack[-1]" in source
    assert re.search(r"rule\.(input|output)_modifier = ruleinfo\.(input|output)\.modifier", source)
    from snakemake.modules import WorkflowModifier

    assert "self.path_modifier = path_modifier or PathModifier(None, None, workflow)" in inspect.getsource(
        WorkflowModifier
    )


# --- rule_files -----------------------------------------------------------------------------


def test_rule_files_calls_input_functions_the_way_snakemake_wraps_them():
    from snakemake.io import IOFile, flag

    def paths(wildcards):
        assert len(wildcards) == 0
        return ["data/a.parquet", "data/b.parquet"]

    def named(wildcards):
        return {"x": "data/x.csv"}

    def single(wildcards):
        return "data/one.csv"

    items = [
        IOFile(paths),
        IOFile(named),
        IOFile(single),
        IOFile("data/plain.csv"),
        flag("data/f.csv", "temp"),
    ]
    assert compat.rule_files(items) == [
        "data/a.parquet",
        "data/b.parquet",
        "data/x.csv",
        "data/one.csv",
        "data/plain.csv",
        "data/f.csv",
    ]
    assert Path(compat.rule_files([IOFile("reports/a b.csv")])[0]).name == "a b.csv"


# --- set_rule_groups ------------------------------------------------------------------------


def test_rule_groups_count_only_on_a_cluster_and_would_send_a_local_rule_there():
    """What set_rule_groups relies on in the pinned Snakemake: a rule's group is used only for
    cluster execution and dry runs (`--groups` wins), and a grouped rule is never local."""
    import inspect

    from snakemake.rules import Rule
    from snakemake.workflow import Workflow

    getter = inspect.getsource(Rule.group.fget)
    assert "non_local_exec_or_dryrun" in getter and "overwrite_groups" in getter
    assert "rule.group is None" in inspect.getsource(Workflow.is_local)


def test_set_rule_groups_leaves_local_rules_and_targets_alone():
    class R:
        def __init__(self, name, norun=False):
            self.name, self.norun, self.is_template_engine, self.group = name, norun, False, None

    class W:
        rules = [R("register"), R("html"), R("all", norun=True), R("scope")]
        _localrules = {"html"}

    assert compat.set_rule_groups(W, {"register": "inputs", "html": "report", "all": "report"}) == [
        "register"
    ]
    assert [r.group for r in W.rules] == ["inputs", None, None, None]


# --- cancel_reevaluation_timers ---------------------------------------------------------------


def test_the_scheduler_leaves_a_timer_that_is_cancelled_and_others_are_not():
    """The pinned JobScheduler starts a non-daemon threading.Timer per scheduling pass, which
    Python waits for at exit; the function cancels exactly those."""
    import threading

    from snakemake.scheduling.job_scheduler import JobScheduler

    class Scheduler:  # what _schedule_reevalutation touches of the scheduler
        _open_jobs = threading.Semaphore(0)

    JobScheduler._schedule_reevalutation(Scheduler(), 60)
    ours = threading.Timer(60, lambda: None)
    ours.start()
    try:
        pending = [t for t in threading.enumerate() if isinstance(t, threading.Timer) and t is not ours]
        assert len(pending) == 1 and not pending[0].daemon  # what made every run wait at exit
        assert compat.cancel_reevaluation_timers() == 1
        pending[0].join(timeout=5)
        assert not pending[0].is_alive()
        assert ours.is_alive()  # a timer that is not the scheduler's is left alone
    finally:
        ours.cancel()


# --- store_no_params_without_imports ---------------------------------------------------------

_STORE_EMPTY_PARAMS = """
import sys
from snakemake.iocontainers import Params, Snakemake
from analysis.core import snakemake_compat
if sys.argv[1] == "patched":
    snakemake_compat.store_no_params_without_imports()
    snakemake_compat.store_no_params_without_imports()  # installed once: a second call is a no-op
job = Snakemake.__new__(Snakemake)
job._safely_store_params(Params())
print(sorted(m for m in ("pandas", "numpy", "polars") if m in sys.modules), list(job.params), job._params_types)
"""


def _store_empty_params(mode: str) -> str:
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-c", _STORE_EMPTY_PARAMS, mode],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    return done.stdout.strip()


def test_the_pinned_snakemake_imports_pandas_numpy_polars_to_store_no_params():
    """The cost the patch avoids: the scheduler imports all three for a rule without params."""
    assert _store_empty_params("original") == "['numpy', 'pandas', 'polars'] [] {}"


def test_a_rule_without_params_is_stored_without_those_imports():
    assert _store_empty_params("patched") == "[] [] {}"


def test_a_rule_with_params_is_stored_by_the_original():
    from snakemake.iocontainers import Params, Snakemake

    class Patched(Snakemake):
        pass

    compat.store_no_params_without_imports(Patched)
    assert Patched._safely_store_params.skips_empty_params
    params = Params(toclone=[1, "x"])
    params._set_name("first", 0)
    stored = Patched.__new__(Patched)
    stored._safely_store_params(params)
    reference = Snakemake.__new__(Snakemake)
    reference._safely_store_params(params)
    assert list(stored.params) == list(reference.params) == [1, "x"]
    assert stored.params.first == reference.params.first == 1
    assert stored._params_types == reference._params_types == {}


# --- checksum_inputs_once_per_job ------------------------------------------------------------

_ONE_JOB_THREE_OUTPUTS = """
from snakemake.io import _IOFile
from analysis.core import snakemake_compat

HASHED = []
_hash = _IOFile.checksum


async def counted(self, *args, **kwargs):
    HASHED.append(str(self))
    return await _hash(self, *args, **kwargs)


_IOFile.checksum = counted
if config.get("patched"):
    snakemake_compat.checksum_inputs_once_per_job()


rule make:
    input:
        "a.txt",
        "b.txt",
    output:
        "o1.txt",
        "o2.txt",
        "o3.txt",
    shell:
        "for f in {output}; do cat {input} > $f; done"


onsuccess:
    print("HASHED", sorted(HASHED))
"""


def _finished_job_records(tmp_path, patched: bool) -> tuple[list[str], dict]:
    """Run a one-job workflow (two inputs, three outputs) and return which files were hashed
    and the input checksums Snakemake recorded per output."""
    import json
    import subprocess
    import sys

    work = tmp_path / ("patched" if patched else "original")
    work.mkdir()
    (work / "Snakefile").write_text(_ONE_JOB_THREE_OUTPUTS, encoding="utf-8")
    (work / "a.txt").write_text("a\n")
    (work / "b.txt").write_text("b\n")
    cmd = [sys.executable, "-m", "snakemake", "--cores", "1", "--quiet", "all"]
    done = subprocess.run(
        cmd + (["--config", "patched=1"] if patched else []), cwd=work, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr[-2000:]
    hashed = next(line for line in done.stdout.splitlines() if line.startswith("HASHED"))
    records = {}
    for f in (work / ".snakemake" / "metadata").iterdir():
        record = json.loads(f.read_text(encoding="utf-8"))
        records[f.name] = record["input_checksums"]
    return hashed, records


def test_a_finished_job_hashes_each_input_once_with_the_same_records(tmp_path):
    original, original_records = _finished_job_records(tmp_path, patched=False)
    patched, patched_records = _finished_job_records(tmp_path, patched=True)
    # the pinned Snakemake: every input once per output record
    assert original == "HASHED " + str(["a.txt"] * 3 + ["b.txt"] * 3)
    assert patched == "HASHED " + str(["a.txt", "b.txt"])
    assert len(original_records) == 3 and original_records == patched_records
    assert all(
        set(r) == {"a.txt", "b.txt"} and all(v.startswith("sha256:") for v in r.values())
        for r in patched_records.values()
    )
