"""Adapter: IMDi public file -> harmonised persons table and row ledger."""

import logging

from analysis.core.files import write_csv, write_parquet
from analysis.core.kommune import build_code_map, read_crosswalk_wide
from analysis.core.logsetup import run, settings
from analysis.imdi.public import national_totals, read_imdi_public, select_persons

log = logging.getLogger("imdi_public")


def main(smk):
    s = settings(smk)
    raw = read_imdi_public(smk.input.data)
    code_map = build_code_map(read_crosswalk_wide(smk.input.crosswalk), dict(s["split_to"]))
    persons, ledger = select_persons(raw, tuple(s["years"]), code_map, smk.input.data)
    log.info("read %d rows, kept %d person rows", len(raw), len(persons))
    log.info("national totals:\n%s", national_totals(persons).to_string(index=False))
    write_parquet(persons, smk.output.persons)
    write_csv(ledger, smk.output.ledger)


run(main, snakemake)  # noqa: F821
