"""Adapter: the rule graph (stages and edges) -> the workflow picture of the lineage appendix."""

import json
from pathlib import Path

from analysis.core.logsetup import run, settings
from analysis.core.messages import Messages, load_messages
from analysis.report.lineage import draw_rule_graph


def main(smk):
    s = settings(smk)
    graph = json.loads(Path(smk.input.graph).read_text(encoding="utf-8"))
    t = Messages(load_messages(smk.input.messages), smk.input.messages)
    draw_rule_graph(graph, Path(smk.output.svg).with_suffix(""), synthetic=s["synthetic"], t=t)


run(main, snakemake)  # noqa: F821
