"""Adapter: Husbanken's cited grant numbers -> tidy table text_ch12_3_husbanken."""

from analysis.core.files import write_csv
from analysis.core.logsetup import run, settings
from analysis.core.tidy import write_tidy
from analysis.official.cited import cited_table, ledger, read_cited

MEASURES = {"rental_dwellings_granted", "share_earmarked_refugees_pct"}


def main(smk):
    s = settings(smk)
    cited = read_cited(smk.input.data, MEASURES)
    write_tidy(cited_table("text_ch12_3_husbanken", cited), smk.output.tables[0], synthetic=s["synthetic"])
    write_csv(ledger(cited, "husbanken"), smk.output.ledger)


run(main, snakemake)  # noqa: F821
