"""Adapter: register + the scope and waiting tables as built -> the protection plan and summary."""

from pathlib import Path

import pandas as pd

from analysis.core.kommune import load_kommuner_2020
from analysis.core.logsetup import run, settings
from analysis.core.protection import summary_table
from analysis.core.tidy import write_tidy
from analysis.imdi import disclosure, maps, scope, waiting
from analysis.imdi.annual import read_imdi_annual
from analysis.imdi.public import national_totals
from analysis.imdi.register import BYDELER

COLUMNS = [
    "year",
    "kommunenummer_2020",
    "avtalt_selvbosetting",
    "kategori",
    "husholdningstype",
    "wait_months",
]


def main(smk):
    s = settings(smk)
    threshold = int(s["threshold"])
    counts = scope.register_counts(smk.input.register)
    annual = read_imdi_annual(smk.input.imdi_annual)
    kommuner = load_kommuner_2020(smk.input.population)
    totals = national_totals(pd.read_parquet(smk.input.imdi_public))
    totals = totals[totals["year"].between(2014, 2021)]
    k_cls = maps.classify(counts, list(kommuner["kommunenummer"]), "kommunenummer_2020")
    b_cls = maps.classify(counts, list(BYDELER), "unit_id")
    tables = scope.build_tables(counts, annual, kommuner, totals, k_cls, b_cls)
    tables |= waiting.build_tables(waiting.wait_summary(smk.input.register), annual)
    register = pd.read_parquet(smk.input.register, columns=COLUMNS)
    plan = disclosure.plan(register, tables, threshold)
    Path(smk.output.plan).parent.mkdir(parents=True, exist_ok=True)
    plan.to_csv(smk.output.plan, index=False, lineterminator="\n")
    write_tidy(summary_table(plan, threshold), smk.output.summary, synthetic=s["synthetic"])


run(main, snakemake)  # noqa: F821
