"""Adapter: the public reference files with rows (SSB code crosswalk, population) are used in full."""

import pandas as pd

from analysis.core.files import write_csv
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
    write_csv(pd.concat(parts), smk.output.ledger)


run(main, snakemake)  # noqa: F821
