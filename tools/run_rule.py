"""Run one rule's script outside Snakemake, for debugging and profiling.

    .venv/bin/python tools/run_rule.py RULE [--configfile FILE] [--profile OUT.prof] [--sample OUT.txt]

The workflow is parsed as Snakemake would (same config, same settings files), the rule's
`snakemake` object is built from its inputs, outputs and log, and workflow/scripts/<script>.py
runs in this process: breakpoints, `python -m pdb tools/run_rule.py ...` and cProfile work.
The inputs must exist (build once with `./run.sh report`); outputs are overwritten in place,
and Snakemake's metadata is not updated, so the next `snakemake` call may rerun the rule.
``--profile`` writes cProfile statistics (exact call counts, but its overhead inflates code that
makes many small calls); ``--sample`` writes pyinstrument's sampling profile (call tree with
wall-clock samples, little overhead; benchmarks/RESULTS.md quotes these).
"""

from __future__ import annotations

import argparse
import cProfile
import os
import runpy
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run_rule(
    rule_name: str, configfiles: list[Path], profile: Path | None = None, sample: Path | None = None
) -> Path:
    """Build the object Snakemake hands a script for ``rule_name`` (rules here have no
    wildcards) and run the rule's script with it; returns the script's path."""
    from snakemake.api import SnakemakeApi
    from snakemake.dag import DAG
    from snakemake.iocontainers import Snakemake
    from snakemake.jobs import Job
    from snakemake.settings.types import ConfigSettings, OutputSettings, ResourceSettings

    with SnakemakeApi(OutputSettings()) as api:
        workflow_api = api.workflow(
            resource_settings=ResourceSettings(cores=1),
            config_settings=ConfigSettings(configfiles=configfiles),
            snakefile=ROOT / "Snakefile",
            workdir=ROOT,
        )
        workflow_api.dag()  # installs the DAG settings the workflow object expects
        workflow = workflow_api._workflow
        workflow.global_resources = {}
        rule = workflow.get_rule(rule_name)
        job = Job(rule, DAG(workflow, rules=[rule]), {})
        smk = Snakemake(
            job.input,
            job.output,
            job.params,
            job.wildcards,
            job.threads,
            job.resources,
            job.log,
            workflow.config,
            rule.name,
            None,
        )
        script = (Path(str(rule.basedir)) / rule.script).resolve()
        for path in list(smk.output) + list(smk.log):
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        sys.path.insert(0, str(ROOT / "src"))
        sys.argv = [str(script)]
        call = "runpy.run_path(script, init_globals={'snakemake': smk}, run_name='__main__')"
        scope = {"runpy": runpy, "script": str(script), "smk": smk}
        if profile:
            cProfile.runctx(call, scope, {}, str(profile))
        elif sample:
            from pyinstrument import Profiler

            # wall-clock samples (a CPU-clock timer would be read on every call and return, which
            # inflates call-heavy code several times); the header gives the CPU seconds as well
            profiler = Profiler(interval=0.001)
            with profiler:
                exec(call, scope)
            sample.write_text(profiler.output_text(unicode=True, show_all=False), encoding="utf-8")
        else:
            exec(call, scope)
        return script


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("rule")
    ap.add_argument("--configfile", action="append", type=Path, default=[])
    ap.add_argument("--profile", type=Path, help="write cProfile statistics of the script here")
    ap.add_argument("--sample", type=Path, help="write a pyinstrument sampling profile (text) here")
    args = ap.parse_args(argv)
    os.chdir(ROOT)
    script = run_rule(
        args.rule,
        [p.resolve() for p in args.configfile],
        args.profile.resolve() if args.profile else None,
        args.sample.resolve() if args.sample else None,
    )
    print(f"{args.rule}: ran {script.relative_to(ROOT)}", file=sys.stderr)


if __name__ == "__main__":
    main()
