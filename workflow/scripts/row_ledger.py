"""Adapter: combine the per-input row ledgers into reports/tables/x_row_ledger.csv."""

import pandas as pd

from analysis.core.ledger import combine
from analysis.core.logsetup import run
from analysis.core.tidy import write_tidy


def main(smk):
    parts = [pd.read_csv(p, dtype={"input": str, "disposition": str, "reason": str}) for p in smk.input.parts]
    write_tidy(combine(parts), smk.output[0])


run(main, snakemake)  # noqa: F821
