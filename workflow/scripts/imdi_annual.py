"""Adapter: validate IMDi's annual-report aggregates and account for every row in the ledger.

The rows are read (and validated again) by the scope, waiting and udi stages, which print the
published numbers beside the computed ones; none is dropped.
"""

from pathlib import Path

from analysis.core.ledger import used_in_full
from analysis.core.logsetup import run
from analysis.imdi.annual import read_imdi_annual


def main(smk):
    annual = read_imdi_annual(smk.input.data)
    Path(smk.output.ledger).parent.mkdir(parents=True, exist_ok=True)
    used_in_full(
        "imdi_annual", len(annual), "published aggregate with source, cited beside the computed tables"
    ).to_csv(smk.output.ledger, index=False, lineterminator="\n")


run(main, snakemake)  # noqa: F821
