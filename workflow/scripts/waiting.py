"""Adapter: register + annual reports -> waiting-time tables (Tabell 4.1, 4.2, kap. 2.2, 4.1) and figure."""

from pathlib import Path

import pandas as pd

from analysis.core.figures import save_figure
from analysis.core.logsetup import run, settings
from analysis.core.messages import Messages, figure_words, load_messages
from analysis.core.protection import apply_plan
from analysis.core.study import Study
from analysis.core.tidy import write_tidy
from analysis.imdi import waiting
from analysis.imdi.scope import register_period


def main(smk):
    s = settings(smk)
    summary = waiting.wait_summary(smk.input.register)  # small: statistics per year and group
    annual = pd.read_parquet(smk.input.imdi_annual)  # validated by rule imdi_annual
    study = Study.from_dict(s["study"])
    tables = waiting.build_tables(summary, annual, study)
    if s["protect"]:
        plan = pd.read_csv(smk.input.plan[0], dtype=str, keep_default_na=False)
        tables = apply_plan(tables, plan, int(s["threshold"]))
    for p in smk.output.tables:
        write_tidy(tables[Path(p).stem], p, synthetic=s["synthetic"])
    partial = register_period(summary, study).partial
    t = Messages(load_messages(smk.input.messages), smk.input.messages)
    lab = figure_words(t, "waiting", avtalt="agreed", ordinaer="ordinary", q1="q1")
    fig = waiting.plot_distribution(tables["x_waiting_distribution"], lab, partial)
    save_figure(fig, Path(smk.output.figures[0]).with_suffix(""), synthetic=s["synthetic"])


run(main, snakemake)  # noqa: F821
