"""Run one rule's script outside Snakemake, for debugging and profiling.

    .venv/bin/python tools/run_rule.py RULE [--configfile FILE] [--profile OUT.prof]

The workflow is parsed as Snakemake would (same config, same settings files), the rule's
`snakemake` object is built from its inputs, outputs and log, and workflow/scripts/<script>.py
runs in this process: breakpoints, `python -m pdb tools/run_rule.py ...` and cProfile work.
The inputs must exist (build once with `./run.sh report`); outputs are overwritten in place,
and Snakemake's metadata is not updated, so the next `snakemake` call may rerun the rule.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import runpy
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run_rule(rule_name: str, configfiles: list[Path], profile: Path | None = None) -> Path:
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
        else:
            exec(call, scope)
        return script


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("rule")
    ap.add_argument("--configfile", action="append", type=Path, default=[])
    ap.add_argument("--profile", type=Path, help="write cProfile statistics of the script here")
    args = ap.parse_args(argv)
    os.chdir(ROOT)
    script = run_rule(
        args.rule, [p.resolve() for p in args.configfile], args.profile.resolve() if args.profile else None
    )
    print(f"{args.rule}: ran {script.relative_to(ROOT)}", file=sys.stderr)


if __name__ == "__main__":
    main()
