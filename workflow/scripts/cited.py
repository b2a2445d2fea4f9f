"""Adapter: the report's cited aggregate inputs, read in one job (decision 0194), each to its own
outputs and row ledger:

- IMDi's annual-report aggregates, validated once and written as Parquet for every stage that
  prints them (scope, waiting and protection read it);
- UDI's privately housed asylum seekers -> tidy tab_10_2 (Tabell 10.2). The report's sentence
  beside the table ("I 2020 ble det bosatt 273 flyktninger som hadde bodd utenfor
  mottakssystemet (IMDi, 2020)") is an IMDi annual-report number: it is taken from the
  aggregates (measure ``settled_from_outside_reception``) when that row exists;
- Husbanken's cited grant numbers -> tidy text_ch12_3_husbanken.

Outputs are found by their file name's stem (the entry id, or the input role for a ledger).
"""

import logging
from pathlib import Path

from analysis.core.files import write_csv, write_parquet
from analysis.core.ledger import used_in_full
from analysis.core.logsetup import run, settings
from analysis.core.tidy import write_tidy
from analysis.official import cited, imdi_annual, udi

HUSBANKEN_MEASURES = {"rental_dwellings_granted", "share_earmarked_refugees_pct"}

log = logging.getLogger("cited")


def main(smk):
    s = settings(smk)
    out = {Path(p).stem: p for p in [*smk.output.tables, *smk.output.ledger]}
    # every file read and checked before anything is written
    annual = imdi_annual.read_imdi_annual(smk.input.imdi_annual)
    privatboende = udi.read_udi(smk.input.udi, tuple(s["udi_years"]))
    husbanken = cited.read_cited(smk.input.husbanken, HUSBANKEN_MEASURES)

    write_parquet(annual, smk.output.annual)
    write_csv(
        used_in_full(
            "imdi_annual", len(annual), "published aggregate with source, cited beside the computed tables"
        ),
        out["imdi_annual"],
    )

    extra = udi.imdi_annual_rows(annual)
    if not extra:
        log.warning(
            "no IMDi annual-report row %r (%s): the 2020 number beside Tabell 10.2 stays missing",
            udi.IMDI_MEASURE,
            smk.input.imdi_annual,
        )
    table = udi.privatboende_table(privatboende, extra)
    log.info("tab_10_2:\n%s", table.to_string(index=False))
    write_tidy(table, out["tab_10_2"], synthetic=s["udi_synthetic"])
    write_csv(udi.ledger(privatboende), out["udi_privatboende"])

    write_tidy(
        cited.cited_table("text_ch12_3_husbanken", husbanken),
        out["text_ch12_3_husbanken"],
        synthetic=s["husbanken_synthetic"],
    )
    write_csv(cited.ledger(husbanken, "husbanken"), out["husbanken"])


run(main, snakemake)  # noqa: F821
