"""Adapter: UDI counts (Tabell 10.2) -> tidy tab_10_2 and the row ledger.

The report's sentence beside the table ("I 2020 ble det bosatt 273 flyktninger som hadde bodd
utenfor mottakssystemet (IMDi, 2020)") is an IMDi annual-report number: it is taken from the
annual-report aggregates file (measure ``settled_from_outside_reception``) when that row exists.
"""

import logging

import pandas as pd

from analysis.core.files import write_csv
from analysis.core.logsetup import run, settings
from analysis.core.tidy import write_tidy
from analysis.official.udi import IMDI_MEASURE, imdi_annual_rows, ledger, privatboende_table, read_udi

log = logging.getLogger("udi")


def main(smk):
    s = settings(smk)
    udi = read_udi(smk.input.udi, tuple(s["years"]))
    annual = smk.input.imdi_annual if "imdi_annual" in smk.input.keys() else None
    extra = imdi_annual_rows(pd.read_parquet(annual) if annual else None)
    if not extra:
        log.warning(
            "no IMDi annual-report row %r (%s): the 2020 number beside Tabell 10.2 stays missing",
            IMDI_MEASURE,
            annual or "inputs.imdi_annual not found",
        )
    table = privatboende_table(udi, extra)
    log.info("tab_10_2:\n%s", table.to_string(index=False))
    write_tidy(table, smk.output.tables[0], synthetic=s["synthetic"])
    write_csv(ledger(udi), smk.output.ledger)


run(main, snakemake)  # noqa: F821
