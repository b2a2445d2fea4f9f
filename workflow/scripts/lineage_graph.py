"""Adapter: provenance's output lineage -> the workflow picture of the lineage appendix."""

import json
from pathlib import Path

from analysis.core.logsetup import run, settings
from analysis.report.lineage import draw_rule_graph


def main(smk):
    with open(smk.input.provenance, encoding="utf-8") as fh:
        outputs = json.load(fh)["outputs"]
    draw_rule_graph(outputs, Path(smk.output.svg).with_suffix(""), synthetic=settings(smk)["synthetic"])


run(main, snakemake)  # noqa: F821
