"""Adapter: validate IMDi's annual-report aggregates and account for every row in the ledger.

The rows are read (and validated again) by the scope, waiting and udi stages, which print the
published numbers beside the computed ones; none is dropped.
"""

from analysis.core.files import write_csv
from analysis.core.ledger import used_in_full
from analysis.core.logsetup import run
from analysis.imdi.annual import read_imdi_annual


def main(smk):
    annual = read_imdi_annual(smk.input.data)
    part = used_in_full(
        "imdi_annual", len(annual), "published aggregate with source, cited beside the computed tables"
    )
    write_csv(part, smk.output.ledger)


run(main, snakemake)  # noqa: F821
