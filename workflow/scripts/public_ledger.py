"""Adapter: the public reference files with rows (SSB code crosswalk, population) are used in full."""

from pathlib import Path

import pandas as pd

from analysis.core.kommune import read_crosswalk_wide
from analysis.core.ledger import data_rows, used_in_full
from analysis.core.logsetup import run


def main(smk):
    parts = [
        used_in_full(
            "crosswalk",
            len(read_crosswalk_wide(smk.input.crosswalk)),
            "public reference: SSB code history, used in full for harmonisation",
        ),
        used_in_full(
            "population",
            data_rows(smk.input.population),
            "public reference: 2020 kommuner with population, used in full",
        ),
    ]
    Path(smk.output.ledger).parent.mkdir(parents=True, exist_ok=True)
    pd.concat(parts).to_csv(smk.output.ledger, index=False, lineterminator="\n")


run(main, snakemake)  # noqa: F821
