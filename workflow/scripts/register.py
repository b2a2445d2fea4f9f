"""Adapter: register (any format the intake layer reads, mapping applied) -> validated, harmonised
data/processed/register.parquet, its counts per year, unit, kategori and flag, and the ledger."""

import logging

from analysis.core.files import write_csv
from analysis.core.kommune import study_code_map
from analysis.core.logsetup import optional_input, run, settings
from analysis.core.study import Study
from analysis.imdi.register import count_cells, read_register

log = logging.getLogger("register")


def main(smk):
    s = settings(smk)
    study = Study.from_dict(s["study"])
    cw24 = optional_input(smk, "crosswalk_2024")
    code_map = study_code_map(
        smk.input.crosswalk, dict(s["split_to"]), study.structure, cw24, dict(s["split_to_2024"])
    )
    reg, ledger = read_register(
        smk.input.register, code_map, study.register_end, start=study.register_start, mapping=s["mapping"]
    )
    reg.write_parquet(smk.output.register)
    count_cells(reg).write_parquet(smk.output.counts)  # what scope, protection and imdi_series sum
    write_csv(ledger, smk.output.ledger)
    log.info("register: %d persons, years %s", reg.height, sorted(set(reg["year"].to_list())))


run(main, snakemake)  # noqa: F821
