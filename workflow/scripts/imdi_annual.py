"""Adapter: read and validate IMDi's annual-report aggregates once, for every stage that prints
them (scope, waiting, protection, udi read the Parquet file), and account for every row."""

from analysis.core.files import write_csv, write_parquet
from analysis.core.ledger import used_in_full
from analysis.core.logsetup import run
from analysis.imdi.annual import read_imdi_annual


def main(smk):
    annual = read_imdi_annual(smk.input.data)
    part = used_in_full(
        "imdi_annual", len(annual), "published aggregate with source, cited beside the computed tables"
    )
    write_parquet(annual, smk.output.annual)
    write_csv(part, smk.output.ledger)


run(main, snakemake)  # noqa: F821
