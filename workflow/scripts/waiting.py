"""Adapter: register + annual reports (or, protection on, the tables as rule protection built them) ->
waiting-time tables (Tabell 4.1, 4.2, kap. 2.2, 4.1) and figure."""

from pathlib import Path

import pandas as pd

from analysis.core.figures import save_figure
from analysis.core.logsetup import run, settings
from analysis.core.messages import Messages, figure_words, load_messages
from analysis.core.protection import apply_plan, read_unprotected
from analysis.core.study import Study
from analysis.core.tidy import write_tidy
from analysis.imdi import waiting
from analysis.imdi.scope import register_period


def main(smk):
    s = settings(smk)
    study = Study.from_dict(s["study"])
    i = smk.input
    if s["protect"]:  # built once by rule protection, which made the plan on these tables
        built = waiting.Unprotected.from_frames(read_unprotected(i))
        plan = pd.read_csv(i.plan[0], dtype=str, keep_default_na=False)
        tables = apply_plan(built.tables, plan, int(s["threshold"]))
    else:
        built = waiting.build(i.register, i.imdi_annual, study)
        tables = built.tables
    for p in smk.output.tables:
        write_tidy(tables[Path(p).stem], p, synthetic=s["synthetic"])
    partial = register_period(pd.DataFrame({"year": built.years}), study).partial
    t = Messages(load_messages(smk.input.messages), smk.input.messages)
    lab = figure_words(t, "waiting", avtalt="agreed", ordinaer="ordinary", q1="q1")
    fig = waiting.plot_distribution(tables["x_waiting_distribution"], lab, partial)
    save_figure(fig, Path(smk.output.figures[0]).with_suffix(""), synthetic=s["synthetic"])


run(main, snakemake)  # noqa: F821
