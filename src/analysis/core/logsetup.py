"""Shared entry point for workflow scripts: logging to the rule's log file and clean failures.

An :class:`~analysis.core.errors.InputError` ends the job with one readable line on stderr (which
Snakemake shows) instead of a traceback, and Snakemake then removes the job's partial outputs.
"""

from __future__ import annotations

import gc
import json
import logging
import sys
from collections.abc import Callable

from analysis.core.errors import InputError, cap
from analysis.core.quickexit import finish, is_snakemake_job_script
from analysis.core.snakemake_compat import job_script_path


class _Capped(logging.Formatter):
    """Every log line capped and on one line (analysis.core.errors.cap): a message built from a
    record cannot write the record, or a whole file read as one line, into a log."""

    def format(self, record: logging.LogRecord) -> str:
        record.msg, record.args = cap(record.getMessage()), None
        record.exc_info, record.exc_text, record.stack_info = None, None, None
        return super().format(record)


VALIDATE_HINT = (
    "The build stops at the first problem. To list every problem in every input at once, run "
    "`snakemake validate` with the same --configfile: reports/validation.csv and reports/validation.html"
)


def settings(snakemake) -> dict:
    """The rule's settings: its input `settings`, the JSON file written by `settings()` in
    workflow/rules/common.smk (in place of Snakemake `params:`)."""
    with open(snakemake.input.settings, encoding="utf-8") as fh:
        return json.load(fh)


def optional_input(snakemake, name: str) -> str | None:
    """A rule input that is declared only when the run needs it (``[path]`` or ``[]`` in the
    stage file, e.g. the 2020->2024 crosswalk): its path, or None."""
    value = getattr(snakemake.input, name)
    if isinstance(value, str):
        return value
    paths = list(value)
    if len(paths) > 1:
        raise ValueError(f"input {name!r}: one path expected, got {len(paths)}")
    return paths[0] if paths else None


def _panic() -> type[BaseException]:
    """Polars' PanicException (a BaseException), caught like any failure (issue 27)."""
    try:
        from polars.exceptions import PanicException
    except ImportError:  # a stage without polars
        return Exception
    return PanicException


def run(main: Callable, snakemake) -> None:
    log_path = snakemake.log[0] if len(snakemake.log) else None
    console = logging.StreamHandler(sys.stderr)
    console.setLevel(logging.WARNING)
    handlers: list[logging.Handler] = [console]
    if log_path:
        handlers.append(logging.FileHandler(log_path, mode="w", encoding="utf-8"))
    for h in handlers:
        h.setFormatter(_Capped("%(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=logging.INFO, handlers=handlers, force=True)
    # What the imports allocated (pandas, pyarrow, matplotlib: ~10^5-10^6 objects) lives as long as
    # the job: out of the collector's reach, so that the full collections which reading a table
    # of 10^5 rows triggers no longer walk it (imdi_public 0.70 -> 0.54 s CPU, decision 0135).
    gc.freeze()
    try:
        main(snakemake)
    except InputError as err:
        log = logging.getLogger("input")
        log.error("INPUT ERROR: %s", err)
        log.error(VALIDATE_HINT)
        sys.exit(1)
    except (Exception, _panic()) as err:  # noqa: BLE001 - any other failure (a polars panic is
        # not an Exception): where, not what data
        # the message of an arbitrary exception may quote data (pandas and pyarrow do): only its
        # type, a capped message without line ends, and the code lines (no values) are printed
        import traceback

        frames = "; ".join(
            f"{f.filename.rsplit('/', 1)[-1]}:{f.lineno}" for f in traceback.extract_tb(err.__traceback__)
        )
        logging.getLogger("error").error("%s: %s (at %s)", type(err).__name__, err, frames)
        sys.exit(1)
    # The outputs are written: a job's process ends without the interpreter's teardown of what
    # the imports and the work left behind (~0.1-0.2 s of CPU per job, decision 0190).
    # Not ``__file__``: Snakemake sets it to the rule's own script (workflow/scripts/), which
    # tools/run_rule.py runs too (decision 0193).
    if is_snakemake_job_script(job_script_path(sys.modules.get("__main__"))):
        finish(0)
