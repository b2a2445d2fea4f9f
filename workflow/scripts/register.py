"""Adapter: register (any format the intake layer reads, mapping applied) -> validated, harmonised data/processed/register.parquet + ledger."""

import logging

from analysis.core.files import write_csv
from analysis.core.kommune import build_code_map, read_crosswalk_wide
from analysis.core.logsetup import run, settings
from analysis.imdi.register import read_register

log = logging.getLogger("register")


def main(smk):
    s = settings(smk)
    code_map = build_code_map(read_crosswalk_wide(smk.input.crosswalk), dict(s["split_to"]))
    reg, ledger = read_register(smk.input.register, code_map, s["register_end"], mapping=s["mapping"])
    reg.write_parquet(smk.output.register)
    write_csv(ledger, smk.output.ledger)
    log.info("register: %d persons, years %s", reg.height, sorted(set(reg["year"].to_list())))


run(main, snakemake)  # noqa: F821
