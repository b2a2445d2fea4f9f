"""Adapter: combine the per-input row ledgers into reports/tables/x_row_ledger.csv."""

import pandas as pd

from analysis.core.ledger import combine
from analysis.core.logsetup import run, settings
from analysis.core.tidy import write_tidy


def main(smk):
    parts = [pd.read_csv(p, dtype={"input": str, "disposition": str, "reason": str}) for p in smk.input.parts]
    kinds = settings(smk)["synthetic"]  # confidential input role -> synthetic?
    table = combine(parts)
    table["synthetic"] = table["series"].map(lambda role: kinds.get(role, False))
    write_tidy(table, smk.output[0], synthetic=kinds)


run(main, snakemake)  # noqa: F821
