"""Adapter: register + annual reports -> waiting-time tables (Tabell 4.1, 4.2, kap. 2.2, 4.1) and figure."""

from pathlib import Path

import pandas as pd

from analysis.core.figures import save_figure
from analysis.core.logsetup import run, settings
from analysis.core.protection import apply_plan
from analysis.core.study import Study
from analysis.core.tidy import write_tidy
from analysis.imdi import waiting
from analysis.imdi.scope import register_period

LABELS = {
    "no": {
        "avtalt": "Avtalt selvbosetting",
        "ordinaer": "Ordinær bosetting",
        "months": "Måneder (median og kvartiler)",
        "q1": "{year} (1. kv.)",
    },
    "en": {
        "avtalt": "Agreed self-settlement",
        "ordinaer": "Ordinary settlement",
        "months": "Months (median and quartiles)",
        "q1": "{year} (Q1)",
    },
}


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
    fig = waiting.plot_distribution(tables["x_waiting_distribution"], LABELS[s["language"]], partial)
    save_figure(fig, Path(smk.output.figures[0]).with_suffix(""), synthetic=s["synthetic"])


run(main, snakemake)  # noqa: F821
