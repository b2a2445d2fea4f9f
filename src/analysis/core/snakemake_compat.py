"""Every use of Snakemake's private API by the workflow, in one place (docs/decisions/0151).

Written for the pinned Snakemake (``PINNED``, uv.lock). `tests/test_snakemake_compat.py` fails
when the installed Snakemake is another version or behaves otherwise where these functions rely
on it; the decision record says, per function, why it exists, what public API was looked for, and
how to remove it. Only the rule files call them (`common.smk`; `report.smk` for the timers).

- :func:`quote_script_interpreter`: Snakemake 9.27.1 puts the interpreter of a `script:` job into
  the job's shell command unquoted (snakemake/snakemake#2645, open), so in a checkout whose path
  holds a space every job fails with exit 127 (decision 0046).
- :func:`install_run_paths`: named runs (`--config run=NAME`) move every path a rule declares with
  Snakemake's own path modifier, the one behind `module ... replace_prefix:` (decision 0045).
- :func:`rule_files`: the file names a rule's inputs or outputs hold, calling input functions, for
  the lineage that provenance.json records (Snakemake wraps input functions in an IOFile).
- :func:`set_rule_groups`: the SLURM group job of every rule, derived from the rules
  (`analysis.report.lineage.cluster_groups`) instead of a hand list in the profile (decision 0153).
- :func:`cancel_reevaluation_timers`: Snakemake's job scheduler starts a non-daemon
  ``threading.Timer`` of ``--max-jobs-per-timespan``'s timespan (1 s at least: the option cannot
  say less) after each scheduling pass and leaves the last ones running when the workflow is done,
  so Python waits up to ~2 s at exit after every run that executed a job (decision 0174).
- :func:`store_no_params_without_imports`: to hand a `script:` job its object, Snakemake imports
  pandas, numpy and polars into the scheduler process (to convert data frame `params:`), ~0.8 s of
  CPU before the build's first job can start; the workflow's rules have no `params:` (a rule's
  settings are a JSON input), so for a rule without params nothing is imported (decision 0185).
- :func:`checksum_inputs_once_per_job`: when a job is done, Snakemake writes a metadata record per
  output and hashes all the job's inputs again for each record (a job with 42 outputs and 25
  inputs: 1 050 hashes, in the scheduler's process); each input is now hashed once per job, with
  the same records (decision 0185).
- :func:`job_script_path`: the path of the copy of a rule's script that a `script:` job runs
  (``.snakemake/scripts/``), which Snakemake's preamble keeps in ``__real_file__`` while it sets
  ``__file__`` to the rule's own script; read in the job by ``analysis.core.logsetup`` (the only
  caller outside the rule files) to end a job without the interpreter's teardown (decision 0193).
"""

from __future__ import annotations

import contextvars
import shlex
import threading
from collections.abc import Callable

PINNED = "9.27.1"


def quote_script_interpreter(script_class=None) -> None:
    """Quote the interpreter in the command of every Python `script:` job (installed once).

    Snakemake runs a Python script job as ``_execute_cmd("{py_exec} {fname:q}", py_exec=...)``;
    the wrapper shell-quotes ``py_exec`` when the command holds it bare. A Snakemake that quotes
    it itself (``{py_exec:q}``) is left alone, so the upstream fix makes this a no-op."""
    if script_class is None:
        from snakemake.script import PythonScript as script_class
    original = script_class._execute_cmd
    if getattr(original, "quotes_interpreter", False):
        return

    def _execute_cmd_quoted(self, cmd, **kwargs):
        if "{py_exec}" in cmd and "py_exec" in kwargs:
            kwargs["py_exec"] = shlex.quote(kwargs["py_exec"])
        return original(self, cmd, **kwargs)

    _execute_cmd_quoted.quotes_interpreter = True
    script_class._execute_cmd = _execute_cmd_quoted


def run_path_modifier(workflow, run_path: Callable[[str], str]):
    """Snakemake's path modifier with ``run_path`` as its prefix rule (which must be idempotent:
    paths that input functions return from other rules' already mapped outputs stay as they are).
    Input functions and storage objects are left to Snakemake."""
    from snakemake.io import is_callable, is_flagged
    from snakemake.path_modifier import PathModifier

    class RunPaths(PathModifier):
        def replace_prefix(self, path, property=None):
            if is_callable(path) or is_flagged(path, "storage_object"):
                return path
            return run_path(path)

    return RunPaths(None, None, workflow)


def install_run_paths(workflow, run_path: Callable[[str], str]) -> None:
    """Map every path the rules defined after this call declare (input, output, log, benchmark)
    through ``run_path``: the workflow's top-level path modifier is replaced."""
    workflow.modifier.path_modifier = run_path_modifier(workflow, run_path)


def rule_files(items) -> list[str]:
    """File names of a rule's inputs or outputs (``rule.input``, ``rule.output`` or one named
    entry), calling input functions with no wildcards (the workflow's take none)."""
    from snakemake.iocontainers import Wildcards

    out = []
    for item in items:
        inner = getattr(item, "_file", item)  # Snakemake wraps input functions in an IOFile
        fn = inner if callable(inner) else getattr(inner, "callable", None)
        if fn is not None:
            res = fn(Wildcards())
            res = res.values() if isinstance(res, dict) else res
            out.extend(str(x) for x in ([res] if isinstance(res, str) else res))
        else:
            out.append(str(item))
    return out


def set_rule_groups(workflow, groups: dict[str, str]) -> list[str]:
    """Put each rule named in ``groups`` into that group (what a `group:` directive does), except
    local rules (`localrule: True`, rules without a job such as `all`): a group would send them to
    the cluster. Snakemake uses a rule's group only when it executes on a cluster or plans a dry
    run; locally it is ignored, and `--groups` on the command line still wins. Returns the rules
    grouped."""
    done = []
    for rule in workflow.rules:
        local = rule.name in workflow._localrules or rule.norun or rule.is_template_engine
        if rule.name in groups and not local:
            rule.group = groups[rule.name]
            done.append(rule.name)
    return sorted(done)


def cancel_reevaluation_timers() -> int:
    """Cancel the job scheduler's pending re-evaluation timers (each would only wake a scheduling
    loop that has ended); called from `onsuccess`/`onerror`, when the scheduler has returned.
    Returns how many were cancelled. Other timers are left alone."""
    cancelled = 0
    for thread in threading.enumerate():
        function = getattr(thread, "function", None)
        if isinstance(thread, threading.Timer) and "JobScheduler._schedule_reevalutation" in getattr(
            function, "__qualname__", ""
        ):
            thread.cancel()
            cancelled += 1
    return cancelled


def store_no_params_without_imports(snakemake_class=None) -> None:
    """Let the object a `script:` job gets store an empty ``params`` without importing pandas,
    numpy and polars (installed once).

    The pinned ``Snakemake._safely_store_params`` imports the three in the scheduler process to
    convert data frames among a rule's params, whether the rule has params or not. For an empty
    ``params`` the conversion has nothing to do, so this sets what it would set (an empty store,
    no types, the names) without the imports; a rule with params goes to the original. A
    Snakemake that no longer has the method is left alone."""
    if snakemake_class is None:
        from snakemake.iocontainers import Snakemake as snakemake_class
    original = getattr(snakemake_class, "_safely_store_params", None)
    if original is None or getattr(original, "skips_empty_params", False):
        return

    def _safely_store_params(self, params):
        if len(params):
            return original(self, params)
        from snakemake.iocontainers import Params

        self._params_store = Params(toclone=list(params))
        self._params_types = {}
        self._params_store._take_names(params._get_names())
        return None

    _safely_store_params.skips_empty_params = True
    snakemake_class._safely_store_params = _safely_store_params


_CHECKSUMS = contextvars.ContextVar("analysis_checksums_of_one_job", default=None)


def checksum_inputs_once_per_job(persistence_class=None, iofile_class=None) -> None:
    """Let Snakemake compute each input checksum of a finished job once, not once per output
    (installed once).

    The pinned ``PersistenceBase.finished`` writes a metadata record per output and computes, for
    each, the checksums of all the job's inputs again: a job with 42 outputs and 25 inputs hashed
    1 050 files. Within one ``finished`` call the inputs do not change (the job is done), so the
    checksums are kept for the rest of the call, and every record gets the same values as before.
    Outside ``finished`` (needrun's comparisons) nothing is kept."""
    if persistence_class is None:
        from snakemake.persistence import PersistenceBase as persistence_class
    if iofile_class is None:
        from snakemake.io import _IOFile as iofile_class
    finished, checksum = persistence_class.finished, iofile_class.checksum
    if getattr(finished, "checksums_once", False):
        return

    async def finished_once(self, job):
        token = _CHECKSUMS.set({})
        try:
            return await finished(self, job)
        finally:
            _CHECKSUMS.reset(token)

    async def checksum_once(self, *args, **kwargs):  # threshold, force, algorithm: passed on
        kept = _CHECKSUMS.get()
        if kept is None:
            return await checksum(self, *args, **kwargs)
        key = (str(self), args, tuple(sorted(kwargs.items())))
        if key not in kept:
            kept[key] = await checksum(self, *args, **kwargs)
        return kept[key]

    finished_once.checksums_once = True
    persistence_class.finished = finished_once
    iofile_class.checksum = checksum_once


def job_script_path(main_module) -> str | None:
    """The file a `script:` job runs (Snakemake 9.27.1's preamble names it ``__real_file__`` in the
    script's globals, those of ``__main__``); None outside such a job (``tools/run_rule.py``, a
    test, plain Python)."""
    return getattr(main_module, "__real_file__", None)
